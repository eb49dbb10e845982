package dev.peft4j.core.memory;

import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.MemoryFootprint;
import dev.peft4j.core.spi.MemoryModel;
import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.spi.PeftMethodProvider;
import dev.peft4j.core.spi.TrainingWorkload;
import dev.peft4j.core.target.TargetResolver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Accounts the training memory of a method on a model: the method's {@link MemoryModel} gives its
 * own parameters and activations; this class adds the base model in its {@link WeightFormat},
 * {@code modules_to_save} and the task head (trainable copies, as HF PEFT's
 * {@code ModulesToSaveWrapper}, unless the method already trains them in place), gradients,
 * optimizer state ({@link OptimizerKind}) and the base activations ({@link BertBlockActivations} for
 * peft4j's BERT blocks, {@link DecoderActivations} for HF decoders). It never looks at the method's name.
 */
public final class MemoryAccountant {

    private MemoryAccountant() {}

    /**
     * @param provider the method
     * @param config its configuration
     * @param shape the base model
     * @param settings dtype, optimizer, workload and recomputation
     * @param <C> the config type
     * @return the breakdown
     * @throws IllegalArgumentException if the method offers no memory model, or the config does not fit the shape
     */
    public static <C extends PeftConfig> MemoryBreakdown account(PeftMethodProvider<C> provider, C config, ModelShape shape,
            PlanSettings settings) {
        MemoryModel<C> model = provider.memoryModel().orElseThrow(() -> new IllegalArgumentException(
                "method '" + provider.alias() + "' offers no memory model (PeftMethodProvider.memoryModel())"));
        WeightFormat format = settings.format();
        TrainingWorkload workload = new TrainingWorkload(settings.batchSize(), settings.maxLength(), format.computeBytes(),
                ActivationModel.retentionFor(shape));
        MemoryFootprint footprint = model.footprint(config, shape, workload);

        Set<String> unfrozen = new HashSet<>(footprint.unfrozenBaseTensors());
        List<String> copied = copiedModules(shape, config, unfrozen);
        long copies = 0;
        for (String module : copied) {
            for (ModelShape.Tensor tensor : shape.parametersUnder(module)) {
                copies += tensor.elements();
                unfrozen.remove(tensor.name()); // the wrapped original is frozen again, as HF's ModulesToSaveWrapper does
            }
        }
        long unfrozenParameters = 0;
        long frozenBytes = 0;
        Set<String> quantizable = quantizableWeights(shape);
        for (ModelShape.Tensor tensor : shape.parameters()) {
            if (unfrozen.contains(tensor.name())) {
                unfrozenParameters += tensor.elements();
            } else {
                frozenBytes += format.bytes(tensor, quantizable.contains(tensor.name()));
            }
        }
        long trainable = footprint.addedParameters() + copies + unfrozenParameters;
        long total = shape.parameterCount() + footprint.addedParameters() + copies;
        long saved = footprint.savedParameters() + copies + unfrozenParameters;
        return new MemoryBreakdown(provider.alias(), total, trainable, frozenBytes,
                trainable * format.computeBytes(), trainable * format.computeBytes(),
                trainable * settings.optimizer().stateBytesPerParameter(format.mixedPrecision()),
                activationBytes(shape, workload, footprint, settings.recompute()), 4 * saved);
    }

    /**
     * Activations of one micro-batch: without recomputation every layer's share; with full
     * recomputation each layer's input plus one layer recomputed at a time, plus everything outside
     * the layers either way.
     */
    static long activationBytes(ModelShape shape, TrainingWorkload workload, MemoryFootprint footprint, boolean recompute) {
        ActivationModel base = ActivationModel.forShape(shape);
        long tokens = (long) workload.seqLength() + footprint.extraSequenceTokens();
        long keys = tokens + footprint.extraKeyTokens();
        long layer = base.layerBytes(shape, workload, tokens, keys);
        long outside = base.outsideLayerBytes(shape, workload, tokens) + footprint.outsideLayerActivationBytes();
        if (recompute) {
            return shape.numLayers() * base.layerInputBytes(shape, workload, tokens) + layer + footprint.maxLayerActivationBytes() + outside;
        }
        return shape.numLayers() * layer + footprint.totalLayerActivationBytes() + outside;
    }

    /** Weights of linear layers other than output heads: what int8 / nf4 quantise. */
    private static Set<String> quantizableWeights(ModelShape shape) {
        Set<String> out = new HashSet<>();
        for (ModelShape.Linear linear : shape.linears()) {
            if (!TargetResolver.isOutputHead(linear.path())) {
                out.add(linear.path() + ".weight");
            }
        }
        return out;
    }

    /**
     * Modules trained as copies: {@code modules_to_save} and the shape's task heads, unless the
     * method already trains every one of their parameters in place (full fine-tuning).
     */
    private static List<String> copiedModules(ModelShape shape, PeftConfig config, Set<String> unfrozen) {
        List<String> modules = new ArrayList<>(TargetResolver.resolveModulesToSave(shape, config.modulesToSave(), ConfigOrigin.USER));
        for (String head : shape.savedHeads()) {
            if (!modules.contains(head)) {
                modules.add(head);
            }
        }
        return modules.stream()
                .filter(module -> !shape.parametersUnder(module).stream().allMatch(t -> unfrozen.contains(t.name())))
                .toList();
    }
}
