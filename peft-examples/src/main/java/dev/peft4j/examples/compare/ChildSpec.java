package dev.peft4j.examples.compare;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the parent hands one method's child JVM (written as {@code <output>/<method>/child-spec.json},
 * snake_case): the method and everything shared by the comparison.
 *
 * @param method the method, its config and recipe
 * @param model the recipe's {@code model}
 * @param data the recipe's {@code data}
 * @param testFraction held-out share of each class
 * @param splitSeed seed of the split
 * @param maxTrainSamples the first N training sentences, or null for all
 * @param maxEvalSamples the first N held-out sentences, or null for all
 * @param forgettingSentences probe sentences for the forgetting measurement
 * @param outputDir the comparison's output folder (absolute)
 */
public record ChildSpec(MethodPlan method, String model, JsonNode data, double testFraction, long splitSeed,
        Integer maxTrainSamples, Integer maxEvalSamples, int forgettingSentences, String outputDir) {

    /** The file name of the spec inside the method's folder. */
    public static final String FILE = "child-spec.json";

    /**
     * @param recipe the comparison
     * @param method one of its methods
     * @param outputDir the output folder (made absolute)
     * @return the child's spec
     */
    public static ChildSpec of(CompareRecipe recipe, MethodPlan method, java.nio.file.Path outputDir) {
        return new ChildSpec(method, recipe.model(), recipe.data(), recipe.testFraction(), recipe.splitSeed(),
                recipe.maxTrainSamples(), recipe.maxEvalSamples(), recipe.forgettingSentences(),
                outputDir.toAbsolutePath().normalize().toString());
    }
}
