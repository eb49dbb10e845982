package dev.peft4j.examples.lm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The whole of {@code results.json} written by {@code peft compare-lm}.
 *
 * @param startedAt when the comparison started, ISO-8601 UTC
 * @param wallSeconds seconds from the first child's start to the last one's end
 * @param quick whether {@code --quick} shortened the recipe
 * @param base the pre-trained base model used ({@code pretraining.json} of the cache)
 * @param recipe the comparison's recipe as run
 * @param environment JDK, DJL, PyTorch, cores, OS, git commit
 * @param methods one entry per method in the order run
 */
public record LmCompareResults(String startedAt, double wallSeconds, boolean quick, PretrainReport base, JsonNode recipe,
        JsonNode environment, List<LmMethodResult> methods) {

    /** Copies the list. */
    public LmCompareResults {
        methods = List.copyOf(methods);
    }
}
