package dev.peft4j.examples.lm;

/**
 * What one child JVM of {@code peft compare-lm} runs, written to {@code <method>/child-spec.json}.
 *
 * @param method the method
 * @param recipe the comparison's recipe
 * @param baseFolder the cached base model's folder (absolute)
 * @param outputDir the comparison's output folder (absolute)
 * @param dataDir the data folder holding {@code moby-dick/} and {@code fortunes/}, or null for
 *     {@link dev.peft4j.examples.data.DataLocations#fromEnvironment()}
 */
public record LmChildSpec(LmMethodPlan method, CompareLmRecipe recipe, String baseFolder, String outputDir, String dataDir) {

    /** The file name inside the method's folder. */
    public static final String FILE = "child-spec.json";
}
