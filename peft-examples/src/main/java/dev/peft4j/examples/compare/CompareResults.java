package dev.peft4j.examples.compare;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The whole of {@code results.json} written by {@code peft compare} (JSON keys in snake_case).
 *
 * @param startedAt when the comparison started, ISO-8601 UTC
 * @param wallSeconds seconds from start until the last method finished (children included)
 * @param quick whether {@code --quick} shortened the recipe
 * @param recipe the shared recipe as run: model, data, split, seed, batch, length, epochs, optimizer,
 *     schedule, sample limits, and each method's overrides (snake_case keys)
 * @param environment where it ran: JDK, DJL and PyTorch versions, cores, OS, git commit, kernel providers
 * @param methods one entry per method, in the order run; failed methods included with their reason
 */
public record CompareResults(String startedAt, double wallSeconds, boolean quick, JsonNode recipe, JsonNode environment,
        List<MethodResult> methods) {

    /** Copies the list. */
    public CompareResults {
        methods = List.copyOf(methods);
    }
}
