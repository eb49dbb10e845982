package dev.peft4j.adapter;

import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.MemoryFootprint;
import dev.peft4j.core.spi.MemoryModel;
import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.TrainingWorkload;
import dev.peft4j.core.target.TargetModules;
import dev.peft4j.core.target.TargetResolver;
import dev.peft4j.core.target.TargetSelection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Bottleneck adapters' memory in closed form: {@code 2 d m + d + m} trainable parameters per
 * adapter ({@link BottleneckAdapter}), one adapter per adapted layer ({@code houlsby}: two), on the
 * same targets as {@link BottleneckMethod} (BERT's residual output blocks, or a decoder's output
 * projections, {@link BottleneckDecoderLayout}). The activation terms below are BERT's; a decoder's
 * arrangement ({@link BottleneckDecoderOutput}) has no LayerNorm, so they slightly overstate it.
 *
 * <p>Activations per adapter, for {@code b} sequences of {@code s} tokens in elements of {@code e} bytes:
 * <ul>
 *   <li>peft4j's DJL blocks: the down projection and its non-linearity ({@code 2 bs m}, swish
 *       {@code 3 bs m}), the up projection {@code bs d} (and its scaled copy when
 *       {@code scaling != 1}), and what the arrangement adds to the wrapped block ({@link BottleneckLayer}):
 *       {@code pfeiffer} the extra {@code y + r}, LayerNorm and sum ({@code 3 bs d}), the others one
 *       extra sum {@code bs d};</li>
 *   <li>PyTorch (AdapterHub): the adapter's input {@code e bs d}, the non-linearity's input and the
 *       up projection's input {@code 2 e bs m}; {@code pfeiffer} also the first LayerNorm's input {@code e bs d}.</li>
 * </ul>
 */
public final class BottleneckMemoryModel implements MemoryModel<BottleneckConfig> {

    @Override
    public MemoryFootprint footprint(BottleneckConfig config, ModelShape shape, TrainingWorkload workload) {
        int d = shape.hiddenSize();
        int m = config.bottleneckSizeFor(d);
        var decoder = BottleneckDecoderLayout.of(shape.family());
        String regex = decoder.map(layout -> layout.outputs(config.placement())).orElse(
                config.placement().adaptsAttentionOutput() ? BottleneckMethod.ALL_OUTPUTS : BottleneckMethod.FEED_FORWARD_OUTPUTS);
        TargetModules outputs = TargetModules.regex(regex);
        if (decoder.isEmpty() && !shape.family().equals("bert")) {
            throw BottleneckDecoderLayout.unknown(shape.family());
        }
        if (shape.modulePaths().stream().noneMatch(path -> path.matches(regex))) {
            throw new IllegalArgumentException("bottleneck adapters wrap BERT residual output blocks (layer.N.output), which this "
                    + shape.family() + " model does not have");
        }
        List<String> targets = TargetResolver.resolve(shape, new TargetSelection(outputs, null, config.layersToTransform()),
                ConfigOrigin.USER);
        List<Long> perLayer = new ArrayList<>(Collections.nCopies(shape.numLayers(), 0L));
        long perAdapter = 2L * d * m + d + m;
        long bytes = activationBytes(config, d, m, workload);
        for (String path : targets) {
            int layer = TargetResolver.layerIndex(path);
            perLayer.set(layer, perLayer.get(layer) + bytes);
        }
        long added = perAdapter * targets.size();
        return new MemoryFootprint(added, added, List.of(), perLayer, 0, 0, 0);
    }

    private static long activationBytes(BottleneckConfig config, long d, long m, TrainingWorkload workload) {
        long e = workload.elementBytes();
        long bs = workload.tokens();
        boolean pfeiffer = config.placement() == BottleneckPlacement.PFEIFFER;
        if (workload.retention() == TrainingWorkload.Retention.ALL_INTERMEDIATES) {
            long activation = config.nonLinearity() == BottleneckNonLinearity.SWISH ? 2 : 1;
            long elements = bs * m * (1 + activation) + bs * d * (config.scaling() == 1.0 ? 1 : 2)
                    + bs * d * (pfeiffer ? 3 : 1);
            return elements * e;
        }
        return e * bs * d + 2 * e * bs * m + (pfeiffer ? e * bs * d : 0);
    }
}
