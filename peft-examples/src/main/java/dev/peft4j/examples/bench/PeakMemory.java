package dev.peft4j.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * This process's resident memory and its high-water mark, from Linux's {@code /proc/self}.
 * Writing {@code 5} to {@code /proc/self/clear_refs} resets the peak resident set size
 * ({@code VmHWM}) to the current one (Linux 4.0+, {@code Documentation/filesystems/proc.rst}), so
 * {@code VmHWM} read later is the peak since the reset.
 */
public final class PeakMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private PeakMemory() {}

    /**
     * Resets the high-water mark to the current resident set size.
     *
     * @throws IOException if {@code /proc/self/clear_refs} cannot be written (not Linux, or restricted)
     */
    public static void resetHighWaterMark() throws IOException {
        Files.writeString(CLEAR_REFS, "5");
    }

    /**
     * @return the peak resident set size since start or the last reset, bytes ({@code VmHWM})
     * @throws IOException if {@code /proc/self/status} cannot be read or lacks the field
     */
    public static long highWaterMarkBytes() throws IOException {
        return field(Files.readAllLines(STATUS), "VmHWM:");
    }

    /**
     * @return the resident set size, bytes ({@code VmRSS})
     * @throws IOException if {@code /proc/self/status} cannot be read or lacks the field
     */
    public static long residentBytes() throws IOException {
        return field(Files.readAllLines(STATUS), "VmRSS:");
    }

    /**
     * @param statusLines lines of a {@code /proc/<pid>/status} file
     * @param name the field with its colon ({@code VmHWM:})
     * @return its value in bytes ({@code kB} there means KiB)
     * @throws IOException if the field is absent
     */
    static long field(List<String> statusLines, String name) throws IOException {
        for (String line : statusLines) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) * 1024;
            }
        }
        throw new IOException("/proc/self/status has no " + name + " field");
    }
}
