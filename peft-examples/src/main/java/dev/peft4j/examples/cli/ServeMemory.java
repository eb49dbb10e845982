package dev.peft4j.examples.cli;

import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.examples.serve.ResidentMemory;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * What serving several adapters on one base model saves against one model copy per adapter,
 * measured in this process's resident set (after GC, Linux {@code VmRSS}): {@code shared} is the
 * growth from loading the one base model with every adapter; {@code copy} the growth from loading
 * one more complete model (base + one adapter, as a separate deployment would hold), which is then
 * closed. Separate deployments hold {@code adapters x copy}. Measured in-process rather than in
 * child JVMs because a copy's weights are native tensors the same size in either case, and one
 * process avoids starting the engine and JVM again for every copy (their fixed cost, which separate
 * processes would add on top, is left out: the comparison favours separate copies).
 *
 * @param sharedBytes resident growth of the base model with all adapters (negative when the process
 *     handed back more than it took meanwhile), empty where the resident set is not readable
 * @param copyBytes resident growth of one more model copy with one adapter, or empty
 * @param adapters the number of adapters served
 * @param baseParameters scalars of the base model (with its head)
 * @param adapterParameters scalars the adapters add (LoRA matrices and head copies)
 */
record ServeMemory(OptionalLong sharedBytes, OptionalLong copyBytes, int adapters, long baseParameters, long adapterParameters) {

    private static final double MIB = 1024.0 * 1024.0;

    /** Loads one more complete model copy. */
    @FunctionalInterface
    interface CopyLoader {
        PeftModel load() throws IOException;
    }

    /**
     * @param before resident bytes, or {@code -1} where unreadable ({@link ResidentMemory})
     * @param after resident bytes, or {@code -1}
     * @return the growth, empty if either reading failed
     */
    static OptionalLong growth(long before, long after) {
        return before < 0 || after < 0 ? OptionalLong.empty() : OptionalLong.of(after - before);
    }

    static ServeMemory measure(OptionalLong sharedBytes, long baseParameters, long adapterParameters, int adapters, CopyLoader loader)
            throws IOException {
        long before = ResidentMemory.bytesAfterGc();
        try (PeftModel copy = loader.load()) {
            long after = ResidentMemory.bytesAfterGc();
            return new ServeMemory(sharedBytes, growth(before, after), adapters, baseParameters, adapterParameters);
        }
    }

    void print(PrintWriter out) {
        if (sharedBytes.isEmpty() || copyBytes.isEmpty()) {
            out.println("memory: resident set size not readable here (needs /proc/self/status)");
        } else {
            long shared = sharedBytes.getAsLong();
            long copy = copyBytes.getAsLong();
            long separate = copy * adapters;
            out.printf(Locale.ROOT, "memory (resident, after GC): one base + %d adapter%s %.1f MiB; %d separate cop%s %.1f MiB"
                    + " (one copy, base + 1 adapter, measured: %.1f MiB); saved %.1f MiB (%.0f%%)%n", adapters, adapters == 1 ? "" : "s",
                    shared / MIB, adapters, adapters == 1 ? "y" : "ies", separate / MIB, copy / MIB, (separate - shared) / MIB,
                    separate == 0 ? 0.0 : 100.0 * (separate - shared) / separate);
        }
        out.printf(Locale.ROOT, "parameters: base %,d (%.1f MiB fp32); %d adapter%s with their heads add %,d (%.2f MiB fp32)%n",
                baseParameters, baseParameters * 4 / MIB, adapters, adapters == 1 ? "" : "s", adapterParameters, adapterParameters * 4 / MIB);
    }
}
