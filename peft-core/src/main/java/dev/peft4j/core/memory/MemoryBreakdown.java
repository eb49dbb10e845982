package dev.peft4j.core.memory;

/**
 * The accounted training memory of one method on one model, in bytes.
 *
 * @param method the method's alias ({@code lora})
 * @param totalParameters every parameter of the adapted model (base, the method's blocks and
 *     {@code modules_to_save} copies), as HF PEFT's {@code print_trainable_parameters} counts them
 * @param trainableParameters parameters that receive gradients
 * @param frozenWeightBytes frozen weights in their storage format (quantisation scales included)
 * @param trainableWeightBytes trainable weights in the compute dtype
 * @param gradientBytes gradients of the trainable weights, compute dtype
 * @param optimizerBytes optimizer state, the fp32 master copy of mixed precision included
 * @param activationBytes activations kept for the backward pass of one micro-batch
 * @param checkpointBytes tensor bytes of the saved adapter (fp32, as peft4j writes it)
 */
public record MemoryBreakdown(
        String method,
        long totalParameters,
        long trainableParameters,
        long frozenWeightBytes,
        long trainableWeightBytes,
        long gradientBytes,
        long optimizerBytes,
        long activationBytes,
        long checkpointBytes) {

    /** @return the sum of weights, gradients, optimizer state and activations */
    public long totalBytes() {
        return frozenWeightBytes + trainableWeightBytes + gradientBytes + optimizerBytes + activationBytes;
    }

    /** @return what training adds on top of the loaded model: gradients, optimizer state and activations */
    public long trainingBytes() {
        return gradientBytes + optimizerBytes + activationBytes;
    }

    /** @return trainable parameters as a percentage of all */
    public double trainablePercent() {
        return 100.0 * trainableParameters / totalParameters;
    }
}
