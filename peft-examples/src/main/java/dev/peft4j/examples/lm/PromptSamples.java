package dev.peft4j.examples.lm;

import dev.peft4j.core.generate.GenerationConfig;
import dev.peft4j.core.generate.Generator;
import java.util.List;

/**
 * Greedy and sampled continuations of the comparison's prompt through {@link Generator} (with the
 * key/value cache), stopping at {@link ByteTokenizer#EOS} or after {@code sample_tokens} bytes.
 */
final class PromptSamples {

    private PromptSamples() {}

    /**
     * @param generator the model to sample
     * @param recipe the prompt, length and sampling settings
     * @return both continuations
     */
    static LmMethodResult.Samples of(Generator generator, CompareLmRecipe recipe) {
        int[] bytes = ByteTokenizer.encode(recipe.prompt());
        int[] prompt = new int[bytes.length + 1];
        prompt[0] = ByteTokenizer.BOS;
        System.arraycopy(bytes, 0, prompt, 1, bytes.length);
        List<Integer> eos = List.of(ByteTokenizer.EOS);
        GenerationConfig greedy = new GenerationConfig(recipe.sampleTokens(), false, null, null, null, null, eos, ByteTokenizer.PAD,
                true);
        GenerationConfig sampled = new GenerationConfig(recipe.sampleTokens(), true, recipe.temperature(), recipe.topK(),
                recipe.topP(), recipe.seed(), eos, ByteTokenizer.PAD, true);
        return new LmMethodResult.Samples(recipe.prompt(), text(generator, prompt, greedy), text(generator, prompt, sampled));
    }

    private static String text(Generator generator, int[] prompt, GenerationConfig config) {
        return ByteTokenizer.decode(generator.generate(List.of(prompt), config).sequences().getFirst().tokens());
    }
}
