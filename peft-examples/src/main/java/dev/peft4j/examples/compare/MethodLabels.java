package dev.peft4j.examples.compare;

import java.util.HashSet;
import java.util.Set;

/**
 * Checks the method labels a report keys its rows, chart series and metric series by: each
 * non-blank and used once (a second run of one method needs its own label, e.g. {@code lora-r16}).
 */
final class MethodLabels {

    private MethodLabels() {}

    /**
     * @param results a comparison
     * @throws IllegalArgumentException {@code method 'lora' appears twice in the results; each method run
     *     needs its own label}, or {@code method #2 has no label} for a missing or blank one
     */
    static void requireUnique(CompareResults results) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < results.methods().size(); i++) {
            String method = results.methods().get(i).method();
            if (method == null || method.isBlank()) {
                throw new IllegalArgumentException("method #" + (i + 1) + " has no label");
            }
            if (!seen.add(method)) {
                throw new IllegalArgumentException(
                        "method '" + method + "' appears twice in the results; each method run needs its own label");
            }
        }
    }
}
