package dev.peft4j.core.spi;

/**
 * What one training micro-batch looks like to memory accounting.
 *
 * @param batchSize sequences per micro-batch {@code b}
 * @param seqLength tokens per sequence {@code s} (the padded length)
 * @param elementBytes bytes of one activation element in the compute dtype (4 fp32, 2 fp16/bf16)
 * @param retention which intermediates stay alive until the backward pass
 */
public record TrainingWorkload(int batchSize, int seqLength, int elementBytes, Retention retention) {

    /** Which forward intermediates a training step keeps until its backward pass. */
    public enum Retention {
        /**
         * peft4j's DJL blocks: every array a forward pass creates stays alive until the step's
         * {@code NDManager} closes after the backward pass; dropout masks are fp32 multipliers.
         */
        ALL_INTERMEDIATES,
        /**
         * PyTorch eager (HF transformers): only the tensors autograd saves for the backward pass;
         * dropout masks are 1-byte booleans (Korthikanti et al. 2022).
         */
        AUTOGRAD_SAVED
    }

    /**
     * Validates the sizes.
     *
     * @throws IllegalArgumentException naming the value, e.g. {@code batch_size must be > 0, got 0}
     */
    public TrainingWorkload {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch_size must be > 0, got " + batchSize);
        }
        if (seqLength <= 0) {
            throw new IllegalArgumentException("max_length must be > 0, got " + seqLength);
        }
        if (elementBytes <= 0) {
            throw new IllegalArgumentException("element bytes must be > 0, got " + elementBytes);
        }
        if (retention == null) {
            throw new IllegalArgumentException("retention must be given");
        }
    }

    /** @return {@code b * s}, the tokens of one micro-batch */
    public long tokens() {
        return (long) batchSize * seqLength;
    }

    /** @return bytes of one dropout-mask element: the element size for DJL's fp32 multipliers, 1 for PyTorch's booleans */
    public int maskBytes() {
        return retention == Retention.ALL_INTERMEDIATES ? elementBytes : 1;
    }
}
