package dev.peft4j.adapter;

import ai.djl.nn.Block;
import dev.peft4j.core.model.BertResidualOutput;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.spi.AdaptableModel;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.spi.PeftMethod;
import dev.peft4j.core.target.TargetModules;
import dev.peft4j.core.target.TargetResolver;
import dev.peft4j.core.target.TargetSelection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Applies a {@link BottleneckConfig} to a model, AdapterHub's {@code add_adapter} +
 * {@code train_adapter} for one bottleneck adapter. In BERT it wraps each layer's feed-forward output
 * ({@code encoder.layer.N.output}) and, for {@link BottleneckPlacement#HOULSBY}, its attention output
 * ({@code encoder.layer.N.attention.output}) in a {@link BottleneckLayer}; in the pre-LayerNorm
 * decoders (Llama, GPT-2) it wraps the sub-layers' output projections
 * ({@code self_attn.o_proj}, {@code mlp.down_proj}; {@code attn.c_proj}, {@code mlp.c_proj}) in a
 * {@link BottleneckDecoderOutput}, see {@link BottleneckDecoderLayout}. Targets are limited to
 * {@code layers_to_transform}; the adapters are allocated in the model's manager. The base is frozen
 * by the runtime beforehand; the adapters are trainable. Other architectures are refused by name
 * ({@code bottleneck adapters do not know where to sit in a 't5' model; known architectures: [bert, gpt2, llama]}).
 */
public final class BottleneckMethod implements PeftMethod {

    /** The feed-forward output of every layer, with any prefix ({@code bert.}). */
    static final String FEED_FORWARD_OUTPUTS = ".*layer\\.\\d+\\.output";
    /** The attention and feed-forward outputs of every layer. */
    static final String ALL_OUTPUTS = ".*layer\\.\\d+\\.(attention\\.)?output";

    private final BottleneckConfig config;

    /**
     * @param config the configuration
     * @throws NullPointerException if {@code config} is null
     */
    public BottleneckMethod(BottleneckConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public BottleneckConfig config() {
        return config;
    }

    /**
     * Wraps every target. The width and every target are checked before the model changes.
     *
     * @param context the model (base frozen), the adapter's name and the config's origin
     * @throws IllegalArgumentException if the bottleneck width does not fit the hidden size (see
     *     {@link BottleneckConfig#bottleneckSizeFor}), a {@code layers_to_transform} entry is beyond
     *     the model ({@code layers_to_transform entry 5 is out of range; the model has layers 0..1}),
     *     or a target is not a {@link BertResidualOutput}
     *     ({@code bottleneck target 'encoder.layer.0.output' is a BottleneckLayer; ...})
     */
    @Override
    public void apply(InjectionContext context) {
        AdaptableModel model = context.model();
        var decoder = BottleneckDecoderLayout.of(model.architecture());
        if (decoder.isPresent()) {
            BottleneckDecoderInjection.apply(context, config, decoder.get());
            return;
        }
        if (!model.architecture().equals("bert")) {
            throw BottleneckDecoderLayout.unknown(model.architecture());
        }
        int hiddenSize = model.hiddenSize();
        int bottleneckSize = config.bottleneckSizeFor(hiddenSize);
        String regex = config.placement().adaptsAttentionOutput() ? ALL_OUTPUTS : FEED_FORWARD_OUTPUTS;
        TargetSelection selection = new TargetSelection(TargetModules.regex(regex), null, config.layersToTransform());
        List<String> paths = TargetResolver.resolve(model, selection, context.origin());
        Map<String, Block> targets = new LinkedHashMap<>();
        for (String path : paths) {
            Block block = model.module(path);
            if (block instanceof BottleneckLayer layer && layer.adapterNames().contains(context.adapterName())) {
                throw new IllegalArgumentException("bottleneck target '" + path + "' already holds adapter '"
                        + context.adapterName() + "'");
            }
            if (!(block instanceof BertResidualOutput) && !(block instanceof BottleneckLayer)) {
                throw new IllegalArgumentException("bottleneck target '" + path + "' is a " + block.getClass().getSimpleName()
                        + "; bottleneck adapters wrap BERT residual output blocks (attention.output, output) that no other"
                        + " method has wrapped");
            }
            targets.put(path, block);
        }
        targets.forEach((path, block) -> {
            BertResidualOutput output = block instanceof BottleneckLayer layer ? layer.base() : (BertResidualOutput) block;
            BottleneckAdapter adapter = new BottleneckAdapter(hiddenSize, bottleneckSize, config.nonLinearity(),
                    config.scaling(), config.initWeights());
            adapter.initialize(model.manager(), ((Linear) output.child("dense")).weight().getArray().getDataType());
            if (block instanceof BottleneckLayer layer) {
                layer.addAdapter(context.adapterName(), adapter, config.placement());
                model.replaceModule(path, layer);
            } else {
                model.replaceModule(path, new BottleneckLayer(output, context.adapterName(), adapter, config.placement(),
                        model.adapterSwitch()));
            }
        });
    }

    /**
     * A model holds several bottleneck adapters (each with its own size, placement and targets);
     * layers an earlier adapter wrapped get the new one added.
     */
    @Override
    public boolean supportsMultipleAdapters() {
        return true;
    }
}
