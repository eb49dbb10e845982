package dev.peft4j.core.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A child JVM for {@link AtomicDirectoryKillTest} (no DJL): saves adapter folders version after
 * version into one folder until it is killed, after one warm-up save elsewhere (class loading and
 * JIT make the first save 30 times slower than the next ones). Version {@code v} holds three tensors filled with
 * {@code v} and a config {@code {"version": v}}, so a reader can tell a whole checkpoint from a
 * mixed or partial one.
 */
public final class CheckpointWriterChild {

    static final int TENSORS = 3;
    static final int ELEMENTS = 200_000;

    private CheckpointWriterChild() {}

    /**
     * @param args the adapter folder and the first version to write
     * @throws Exception on any failure (the parent sees the exit code)
     */
    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        long version = Long.parseLong(args[1]);
        Path warmUp = folder.resolveSibling(folder.getFileName() + "-warm-up");
        AdapterCheckpoint.write(warmUp, config(0), tensors(0), Map.of());
        System.out.println("ready");
        System.out.flush();
        while (true) {
            AdapterCheckpoint.write(folder, config(version), tensors(version), Map.of("format", "pt"));
            version++;
        }
    }

    static String config(long version) {
        return "{\"peft_type\": \"LORA\", \"version\": " + version + "}";
    }

    static Map<String, HostTensor> tensors(long version) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (int i = 0; i < TENSORS; i++) {
            float[] values = new float[ELEMENTS];
            Arrays.fill(values, version);
            out.put("base_model.model.t" + i + ".weight", new HostTensor(new long[] {ELEMENTS}, values));
        }
        return out;
    }
}
