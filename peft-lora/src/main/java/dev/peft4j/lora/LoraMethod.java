package dev.peft4j.lora;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.spi.AdaptableModel;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.spi.PeftMethod;
import dev.peft4j.core.target.TargetResolver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Applies a {@link LoraConfig} to a model, HF PEFT's {@code LoraModel.inject_adapter}: resolves
 * {@code target_modules} with HF's matching rules, wraps each targeted {@link Linear} (or GPT-2's
 * {@code Conv1D}, weight stored {@code (in, out)}) in a
 * {@link LoraLayer} with its per-module rank and alpha ({@code rank_pattern}, {@code alpha_pattern}),
 * allocates {@code A} and {@code B} (and DoRA's magnitude vector with {@code use_dora}) in the model's
 * manager, and applies the {@code bias} policy
 * (HF's {@code _mark_only_adapters_as_trainable}). The base is frozen by the runtime beforehand.
 * A target that is already a {@link LoraLayer} (an earlier adapter's) gets the new adapter added
 * (HF's {@code update_layer}), so adapters may target different modules and have their own
 * {@code r}, {@code lora_alpha}, dropout and DoRA.
 */
public final class LoraMethod implements PeftMethod {

    private LoraConfig config;

    /**
     * @param config the configuration
     * @throws NullPointerException if {@code config} is null
     */
    public LoraMethod(LoraConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public LoraConfig config() {
        return config;
    }

    /**
     * Wraps every targeted module. Every target is checked before the model changes.
     *
     * @param context the model (base frozen), the adapter's name and the config's origin
     * <p>{@code fan_in_fan_out} follows the targets as in HF PEFT ({@link LoraFanInFanOut}): a
     * {@code Conv1D} target sets it true, a {@link Linear} target false, each with a warning when the
     * config said otherwise; {@link #config()} then holds the resolved value, which is what gets saved.
     *
     * @throws IllegalArgumentException if a {@code target_modules} entry matches nothing (from
     *     {@link TargetResolver}), a target is neither a {@link Linear} nor a {@code Conv1D}
     *     ({@code lora target 'encoder.layer.0.attention.self' is a BertSelfAttention; LoRA wraps Linear and Conv1D layers only}),
     *     or a target already holds an adapter of this name
     */
    @Override
    public void apply(InjectionContext context) {
        AdaptableModel model = context.model();
        Map<String, Block> targets = new LinkedHashMap<>();
        for (String path : TargetResolver.resolve(model, config.selection(), context.origin())) {
            Block block = model.module(path);
            if (block instanceof LoraLayer layer && layer.adapterNames().contains(context.adapterName())) {
                throw new IllegalArgumentException("lora target '" + path + "' already holds adapter '" + context.adapterName() + "'");
            }
            if (LoraBaseLayer.of(block) == null && !(block instanceof LoraLayer)) {
                throw new IllegalArgumentException("lora target '" + path + "' is a " + block.getClass().getSimpleName()
                        + "; LoRA wraps Linear and Conv1D layers only (target_modules " + describeTargets(model) + ")");
            }
            targets.put(path, block);
        }
        config = LoraFanInFanOut.resolve(config, targets);
        List<LoraLayer> layers = new ArrayList<>();
        targets.forEach((path, block) -> {
            LoraLayerBuilder adapter = LoraLayer.builder()
                    .setRank(config.rankFor(path))
                    .setAdapterSwitch(model.adapterSwitch())
                    .optAlpha(config.alphaFor(path))
                    .optDropout(config.loraDropout())
                    .optUseRslora(config.useRslora())
                    .optUseDora(config.useDora())
                    .optInit(config.initLoraWeights())
                    .optAdapterName(context.adapterName());
            LoraLayer layer;
            if (block instanceof LoraLayer existing) {
                existing.addAdapter(adapter);
                layer = existing;
            } else {
                layer = adapter.setBase(block).build();
            }
            layer.initialize(model.manager(), layer.baseWeight().getArray().getDataType());
            model.replaceModule(path, layer);
            layers.add(layer);
        });
        applyBiasPolicy(model, layers);
    }

    /** LoRA adds further adapters to its layers (HF's {@code update_layer}). */
    @Override
    public boolean supportsMultipleAdapters() {
        return true;
    }

    /** LoRA layers add every active adapter's term (HF's {@code set_adapter([...])}). */
    @Override
    public boolean supportsMultipleActiveAdapters() {
        return true;
    }

    /**
     * LoRA and rsLoRA adapters serve mixed-adapter batches ({@link LoraLayer} routes row groups, HF's
     * {@code _mixed_batch_forward}); DoRA is refused, as HF PEFT's {@code _check_forward_args}
     * ("Cannot pass `adapter_names` when DoRA is enabled").
     */
    @Override
    public boolean routesMixedBatches() {
        return true;
    }

    @Override
    public java.util.Optional<String> mixedBatchRefusal() {
        return config.useDora()
                ? java.util.Optional.of("it uses DoRA (use_dora: true), which HF PEFT refuses in mixed-adapter batches too;"
                        + " serve it with setActiveAdapter")
                : java.util.Optional.empty();
    }

    private String describeTargets(AdaptableModel model) {
        return config.targetModules() == null ? model.defaultTargetModules() + " (the architecture's defaults)"
                : String.valueOf(config.targetModules());
    }

    /** HF: {@code all} unfreezes every parameter named {@code bias} or {@code *.bias}; {@code lora_only} the wrapped layers' biases. */
    private void applyBiasPolicy(AdaptableModel model, List<LoraLayer> layers) {
        switch (config.bias()) {
            case NONE -> { }
            case ALL -> Parameters.byName(model.modules().get("")).forEach((name, parameter) -> {
                if (name.equals("bias") || name.endsWith(".bias")) {
                    parameter.freeze(false);
                }
            });
            case LORA_ONLY -> layers.forEach(layer -> {
                Parameter bias = layer.baseLayerView().bias();
                if (bias != null) {
                    bias.freeze(false);
                }
            });
        }
    }
}
