package dev.peft4j.cuda;

/**
 * The sizes of one LoRA layer's kernels: {@code x (tokens, in_features)}, {@code A (r, in_features)},
 * {@code u (tokens, r)}, {@code B (out_features, r)}, {@code y (tokens, out_features)}.
 *
 * @param tokens rows of x (batch * sequence), > 0
 * @param inFeatures the wrapped layer's {@code in_features}, > 0
 * @param outFeatures its {@code out_features}, > 0
 * @param r the LoRA rank, > 0
 */
public record LoraShape(int tokens, int inFeatures, int outFeatures, int r) {

    /**
     * @throws IllegalArgumentException naming the first size that is not positive, e.g.
     *     {@code lora.r must be > 0, got 0}
     */
    public LoraShape {
        positive("tokens", tokens);
        positive("in_features", inFeatures);
        positive("out_features", outFeatures);
        positive("r", r);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("lora." + name + " must be > 0, got " + value);
        }
    }
}
