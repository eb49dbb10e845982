package dev.peft4j.core.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The process's memory as the OS and the JVM see it. Resident set size counts native tensors
 * (DJL/PyTorch allocate outside the Java heap); heap use counts Java objects only.
 */
public final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /**
     * The resident set size, {@code VmRSS} of {@code /proc/self/status} (Linux).
     *
     * @return bytes, or 0 where the file or the field is unavailable
     */
    public static long rssBytes() {
        try {
            return parseVmRss(Files.readAllLines(STATUS));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * @param statusLines the lines of a {@code /proc/<pid>/status} file
     * @return {@code VmRSS} in bytes ({@code kB} there means KiB), 0 if absent
     */
    static long parseVmRss(List<String> statusLines) {
        for (String line : statusLines) {
            if (line.startsWith("VmRSS:")) {
                String[] fields = line.substring("VmRSS:".length()).trim().split("\\s+");
                return Long.parseLong(fields[0]) * 1024;
            }
        }
        return 0;
    }

    /** @return bytes of the Java heap in use (total minus free) */
    public static long heapUsedBytes() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
