package dev.peft4j.examples.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident set size ({@code VmRSS} of {@code /proc/self/status}, Linux). */
public final class ResidentMemory {

    private ResidentMemory() {}

    /**
     * Runs the garbage collector twice (so freed Java objects leave the heap's live set), then reads
     * the resident set size.
     *
     * @return bytes, or {@code -1} where {@code /proc/self/status} is not readable
     */
    public static long bytesAfterGc() {
        System.gc();
        System.gc();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
