package dev.peft4j.core.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import dev.peft4j.core.io.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root blocks of {@link TransformerModel}s with their initializers set (not yet allocated),
 * and the exchange of their pretrained weights under HF's state-dict keys.
 */
final class ModelRoots {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRoots.class);

    private ModelRoots() {}

    /** A {@link BertModel} or {@link BertForSequenceClassification} (classifier weights ~ N(0, 0.02), bias 0, as HF). */
    static Block bert(BertConfig config, TaskType taskType, int numLabels) {
        return switch (taskType) {
            case FEATURE_EXTRACTION -> new BertModel(config);
            case SEQ_CLS -> {
                var classification = new BertForSequenceClassification(config, numLabels);
                classification.child("classifier").setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
                yield classification;
            }
            case CAUSAL_LM -> throw new IllegalArgumentException(
                    "BERT is an encoder: task_type CAUSAL_LM needs TransformerModel.llama or gpt2; BERT supports FEATURE_EXTRACTION, SEQ_CLS");
        };
    }

    /** A {@link LlamaForCausalLM} initialized as HF's {@code LlamaPreTrainedModel._init_weights}. */
    static Block llama(LlamaConfig config) {
        LlamaForCausalLM root = new LlamaForCausalLM(config);
        DecoderInitialization.set(root, config.initializerRange(), 0);
        return root;
    }

    /** A {@link Gpt2LMHeadModel} initialized as HF's {@code GPT2PreTrainedModel._init_weights}. */
    static Block gpt2(Gpt2Config config) {
        Gpt2LMHeadModel root = new Gpt2LMHeadModel(config);
        DecoderInitialization.set(root, config.initializerRange(), config.nLayer());
        return root;
    }

    /**
     * Loads pretrained weights: a decoder's from the full {@code *ForCausalLM} keys, an encoder's from
     * {@code BertModel} keys into {@code base} ({@code pooler.*} skipped: not modelled).
     *
     * @throws IllegalArgumentException naming missing or unexpected keys, or a shape mismatch
     */
    static void load(TaskType taskType, Block root, Block base, Map<String, HostTensor> weights) {
        if (taskType == TaskType.CAUSAL_LM) {
            Parameters.loadStateDict(root, weights, true);
            return;
        }
        Map<String, HostTensor> kept = new LinkedHashMap<>();
        weights.forEach((key, tensor) -> {
            if (key.startsWith("pooler.")) {
                LOG.debug("skipping {}: the pooler is not modelled", key);
            } else {
                kept.put(key, tensor);
            }
        });
        Parameters.loadStateDict(base, kept, true);
    }
}
