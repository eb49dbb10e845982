package dev.peft4j.adapter;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.peft4j.core.spi.AdaptableModel;
import dev.peft4j.core.spi.AdapterLayer;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.target.TargetModules;
import dev.peft4j.core.target.TargetResolver;
import dev.peft4j.core.target.TargetSelection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Places one bottleneck adapter in a pre-LayerNorm decoder ({@link BottleneckDecoderLayout}): wraps
 * each targeted output projection in a {@link BottleneckDecoderOutput} (or adds the adapter to the
 * wrapper an earlier adapter left) and, for {@code pfeiffer} and {@code parallel}, the same layer's
 * feed-forward norm in a {@link BottleneckResidualTap}. Every target is checked before the model
 * changes.
 */
final class BottleneckDecoderInjection {

    private BottleneckDecoderInjection() {}

    /**
     * @param context the model (base frozen), the adapter's name and the config's origin
     * @param config the adapter's config
     * @param layout the model's layout
     * @throws IllegalArgumentException if the width does not fit, a {@code layers_to_transform} entry
     *     is beyond the model, a target already holds this adapter, or a target is not a projection
     *     of the expected kind (e.g. another method wrapped it)
     */
    static void apply(InjectionContext context, BottleneckConfig config, BottleneckDecoderLayout layout) {
        AdaptableModel model = context.model();
        int hiddenSize = model.hiddenSize();
        int bottleneckSize = config.bottleneckSizeFor(hiddenSize);
        String name = context.adapterName();
        Map<String, Block> outputs = new LinkedHashMap<>();
        for (String path : resolve(context, layout.outputs(config.placement()), config)) {
            Block block = model.module(path);
            if (block instanceof BottleneckDecoderOutput wrapper && wrapper.adapterNames().contains(name)) {
                throw new IllegalArgumentException("bottleneck target '" + path + "' already holds adapter '" + name + "'");
            }
            if (block instanceof AdapterLayer && !(block instanceof BottleneckDecoderOutput)) {
                throw new IllegalArgumentException("bottleneck target '" + path + "' is a " + block.getClass().getSimpleName()
                        + "; bottleneck adapters wrap decoder output projections that no other method has wrapped");
            }
            outputs.put(path, block);
        }
        Map<Integer, String> norms = new HashMap<>();
        if (config.placement() != BottleneckPlacement.HOULSBY) {
            for (String path : resolve(context, layout.feedForwardNorm(), config)) {
                Block block = model.module(path);
                if (block instanceof AdapterLayer && !(block instanceof BottleneckResidualTap)) {
                    throw new IllegalArgumentException("bottleneck tap '" + path + "' is a " + block.getClass().getSimpleName()
                            + "; another method wrapped the feed-forward norm");
                }
                norms.put(TargetResolver.layerIndex(path), path);
            }
        }
        outputs.forEach((path, block) -> {
            BottleneckAdapter adapter = new BottleneckAdapter(hiddenSize, bottleneckSize, config.nonLinearity(),
                    config.scaling(), config.initWeights());
            adapter.initialize(model.manager(), DataType.FLOAT32);
            BottleneckResidualTap tap = path.matches(layout.feedForwardOutput()) && config.placement() != BottleneckPlacement.HOULSBY
                    ? tap(model, norms.get(TargetResolver.layerIndex(path)), name) : null;
            BottleneckDecoderOutput wrapper = block instanceof BottleneckDecoderOutput existing ? existing
                    : new BottleneckDecoderOutput(block, hiddenSize, model.adapterSwitch());
            wrapper.addAdapter(name, adapter, config.placement(), tap);
            model.replaceModule(path, wrapper);
        });
    }

    private static List<String> resolve(InjectionContext context, String regex, BottleneckConfig config) {
        TargetSelection selection = new TargetSelection(TargetModules.regex(regex), null, config.layersToTransform());
        return TargetResolver.resolve(context.model(), selection, context.origin());
    }

    private static BottleneckResidualTap tap(AdaptableModel model, String path, String adapterName) {
        if (path == null) {
            throw new IllegalStateException("no feed-forward norm found in the layer of a feed-forward output projection");
        }
        Block block = model.module(path);
        BottleneckResidualTap tap = block instanceof BottleneckResidualTap existing ? existing
                : new BottleneckResidualTap(block, model.adapterSwitch());
        tap.addAdapter(adapterName);
        model.replaceModule(path, tap);
        return tap;
    }
}
