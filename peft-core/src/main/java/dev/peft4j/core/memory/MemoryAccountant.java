package dev.peft4j.core.memory;

import static dev.peft4j.core.memory.ExactLong.product;
import static dev.peft4j.core.memory.ExactLong.sum;

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
     *     or a count overflows 64 bits ({@code model too large to account: frozen weight bytes overflows 64 bits (...)})
     * @throws PositionLimitExceeded if {@code max_length} plus the method's virtual tokens exceed {@code max_position_embeddings}
     */
    public static <C extends PeftConfig> MemoryBreakdown account(PeftMethodProvider<C> provider, C config, ModelShape shape,
            PlanSettings settings) {
        MemoryModel<C> model = provider.memoryModel().orElseThrow(() -> new IllegalArgumentException(
                "method '" + provider.alias() + "' offers no memory model (PeftMethodProvider.memoryModel())"));
        WeightFormat format = settings.format();
        TrainingWorkload workload = new TrainingWorkload(settings.batchSize(), settings.maxLength(), format.computeBytes(),
                ActivationModel.retentionFor(shape));
        MemoryFootprint footprint = model.footprint(config, shape, workload);
        if (footprint.addedParameters() < 0 || footprint.savedParameters() < 0 || footprint.outsideLayerActivationBytes() < 0
                || footprint.layerActivationBytes().stream().anyMatch(bytes -> bytes < 0)) {
            throw new IllegalArgumentException("model too large to account: method '" + provider.alias() + "' footprint overflows 64 bits");
        }
        long virtualTokens = (long) footprint.extraSequenceTokens() + footprint.extraKeyTokens();
        if (settings.maxLength() + virtualTokens > shape.maxPositionEmbeddings()) {
            throw new PositionLimitExceeded(settings.maxLength(), virtualTokens, shape.maxPositionEmbeddings());
        }

        Set<String> unfrozen = new HashSet<>(footprint.unfrozenBaseTensors());
        List<String> copied = copiedModules(shape, config, unfrozen);
        String part = "parameter count";
        try {
            long copies = 0;
            for (String module : copied) {
                for (ModelShape.Tensor tensor : shape.parametersUnder(module)) {
                    copies = sum(copies, product(tensor.rows(), tensor.columns()));
                    unfrozen.remove(tensor.name()); // the wrapped original is frozen again, as HF's ModulesToSaveWrapper does
                }
            }
            long unfrozenParameters = 0;
            long baseParameters = 0;
            long frozenBytes = 0;
            Set<String> quantizable = quantizableWeights(shape);
            for (ModelShape.Tensor tensor : shape.parameters()) {
                long elements = product(tensor.rows(), tensor.columns());
                baseParameters = sum(baseParameters, elements);
                if (unfrozen.contains(tensor.name())) {
                    unfrozenParameters = sum(unfrozenParameters, elements);
                } else {
                    part = "frozen weight bytes";
                    frozenBytes = sum(frozenBytes, format.bytes(tensor, quantizable.contains(tensor.name())));
                    part = "parameter count";
                }
            }
            long trainable = sum(footprint.addedParameters(), copies, unfrozenParameters);
            long total = sum(baseParameters, footprint.addedParameters(), copies);
            long saved = sum(footprint.savedParameters(), copies, unfrozenParameters);
            part = "trainable weight bytes";
            long trainableBytes = product(trainable, format.computeBytes());
            part = "optimizer state bytes";
            long optimizerBytes = product(trainable, settings.optimizer().stateBytesPerParameter(format.mixedPrecision()));
            part = "activation bytes";
            long activationBytes = activationBytes(shape, workload, footprint, settings.recompute());
            part = "adapter bytes";
            long checkpointBytes = product(4, saved);
            part = "total bytes";
            sum(frozenBytes, trainableBytes, trainableBytes, optimizerBytes, activationBytes);
            return new MemoryBreakdown(provider.alias(), total, trainable, frozenBytes, trainableBytes, trainableBytes, optimizerBytes,
                    activationBytes, checkpointBytes);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("model too large to account: " + part + " overflows 64 bits (" + shape.family()
                    + ", hidden_size " + shape.hiddenSize() + ", intermediate_size " + shape.intermediateSize() + ", vocab_size "
                    + shape.vocabSize() + ", " + shape.numLayers() + " layers, batch " + settings.batchSize() + " x "
                    + settings.maxLength() + " tokens)");
        }
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
        long outside = sum(base.outsideLayerBytes(shape, workload, tokens), footprint.outsideLayerActivationBytes());
        if (recompute) {
            return sum(product(shape.numLayers(), base.layerInputBytes(shape, workload, tokens)), layer,
                    footprint.maxLayerActivationBytes(), outside);
        }
        long methodLayers = 0;
        for (long bytes : footprint.layerActivationBytes()) {
            methodLayers = sum(methodLayers, bytes);
        }
        return sum(product(shape.numLayers(), layer), methodLayers, outside);
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
