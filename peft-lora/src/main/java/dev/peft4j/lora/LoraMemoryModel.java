package dev.peft4j.lora;

import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.MemoryFootprint;
import dev.peft4j.core.spi.MemoryModel;
import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.TrainingWorkload;
import dev.peft4j.core.target.TargetResolver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * LoRA's memory in closed form. Trainable: per targeted linear {@code (in, out)} with rank {@code r}
 * ({@code rank_pattern} applied), {@code r (in + out)} for {@code A} and {@code B} (Hu et al. 2021),
 * plus {@code out} for DoRA's magnitude (Liu et al. 2024); {@code bias: all} trains every base bias,
 * {@code lora_only} the targets' biases, in place. Targets are resolved with the same rules as
 * {@link LoraMethod} ({@link TargetResolver}).
 *
 * <p>Activations per target, for {@code b} sequences of {@code s} tokens in elements of {@code e} bytes:
 * <ul>
 *   <li>peft4j's DJL blocks ({@link TrainingWorkload.Retention#ALL_INTERMEDIATES}): with
 *       {@code lora_dropout > 0} the fp32 dropout multiplier and the dropped input {@code 2 bs in};
 *       {@code A x} {@code bs r}; {@code B A x}, its scaled copy and the sum with the base output
 *       {@code 3 bs out}. DoRA adds the weight-sized products of its row norm ({@code 4 out in}) and
 *       four {@code bs out} terms;</li>
 *   <li>PyTorch ({@link TrainingWorkload.Retention#AUTOGRAD_SAVED}): {@code A x} ({@code e bs r},
 *       saved by {@code B}); with dropout the 1-byte mask and the dropped input ({@code (1 + e) bs in},
 *       without dropout {@code A} reads the input the base already keeps). DoRA adds
 *       {@code 2 e out in + 2 e bs out}.</li>
 * </ul>
 */
public final class LoraMemoryModel implements MemoryModel<LoraConfig> {

    @Override
    public MemoryFootprint footprint(LoraConfig config, ModelShape shape, TrainingWorkload workload) {
        List<String> targets = TargetResolver.resolve(shape, config.selection(), ConfigOrigin.USER);
        List<Long> perLayer = new ArrayList<>(Collections.nCopies(shape.numLayers(), 0L));
        long added = 0;
        long outside = 0;
        List<String> unfrozen = new ArrayList<>();
        for (String path : targets) {
            ModelShape.Linear linear = linearAt(shape, path);
            int rank = config.rankFor(path);
            added += (long) rank * (linear.inFeatures() + linear.outFeatures()) + (config.useDora() ? linear.outFeatures() : 0);
            if (config.bias() == LoraConfig.Bias.LORA_ONLY && linear.bias()) {
                unfrozen.add(path + ".bias");
            }
            long bytes = activationBytes(config, linear, rank, workload);
            int layer = TargetResolver.layerIndex(path);
            if (layer >= 0 && layer < perLayer.size()) {
                perLayer.set(layer, perLayer.get(layer) + bytes);
            } else {
                outside += bytes;
            }
        }
        if (config.bias() == LoraConfig.Bias.ALL) {
            shape.parameters().stream().map(ModelShape.Tensor::name)
                    .filter(name -> name.equals("bias") || name.endsWith(".bias")).forEach(unfrozen::add);
        }
        return new MemoryFootprint(added, added, unfrozen, perLayer, outside, 0, 0);
    }

    private static ModelShape.Linear linearAt(ModelShape shape, String path) {
        return shape.linears().stream().filter(l -> l.path().equals(path)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("lora target '" + path
                        + "' is not a linear layer; LoRA wraps Linear layers only"));
    }

    private static long activationBytes(LoraConfig config, ModelShape.Linear linear, int rank, TrainingWorkload workload) {
        long e = workload.elementBytes();
        long bs = workload.tokens();
        long in = linear.inFeatures();
        long out = linear.outFeatures();
        boolean dropout = config.loraDropout() > 0;
        if (workload.retention() == TrainingWorkload.Retention.ALL_INTERMEDIATES) {
            long elements = (dropout ? 2 * bs * in : 0) + bs * rank + 3 * bs * out
                    + (config.useDora() ? 4 * out * in + 4 * bs * out : 0);
            return elements * e;
        }
        return e * bs * rank + (dropout ? (workload.maskBytes() + e) * bs * in : 0)
                + (config.useDora() ? 2 * e * out * in + 2 * e * bs * out : 0);
    }
}
