package dev.peft4j.core.spi;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An architecture-neutral description of a transformer for memory accounting: its sizes, every
 * parameter tensor by HF state-dict name, and every linear layer by HF module path with its
 * {@code (in, out)} widths. Built from an HF {@code config.json} ({@code dev.peft4j.core.memory.HfModelShapes})
 * or from a live peft4j model ({@code dev.peft4j.core.memory.LiveModelShapes}); a method's
 * {@link MemoryModel} reads it to count its trainable parameters and activations in closed form.
 *
 * @param family HF {@code model_type} ({@code bert}, {@code gpt2}, {@code llama}, {@code mistral}, {@code qwen2})
 * @param hiddenSize the width {@code h} of the hidden states
 * @param numLayers the number of transformer layers {@code L}
 * @param numAttentionHeads query heads per layer {@code a}
 * @param numKeyValueHeads key/value heads per layer (grouped-query attention); {@code a} without GQA
 * @param headDim the width of one head
 * @param intermediateSize the feed-forward width {@code i}
 * @param vocabSize the vocabulary size {@code V}
 * @param maxPositionEmbeddings the longest input in tokens
 * @param tieWordEmbeddings whether the output head shares the input embedding matrix
 * @param hiddenDropout the dropout rate on hidden states (0 for the Llama family)
 * @param attentionDropout the dropout rate on attention probabilities
 * @param defaultTargetModules HF PEFT's default LoRA {@code target_modules} for the family
 * @param parameters every parameter tensor, each counted once (tied weights once)
 * @param linears every linear layer (including fused ones such as GPT-2's {@code c_attn})
 * @param savedHeads task heads every PEFT method trains as a copy (HF PEFT's implicit
 *     {@code modules_to_save}: {@code classifier} for {@code SEQ_CLS}); empty for a bare or LM model
 */
public record ModelShape(
        String family,
        int hiddenSize,
        int numLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int intermediateSize,
        int vocabSize,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        double hiddenDropout,
        double attentionDropout,
        List<String> defaultTargetModules,
        List<Tensor> parameters,
        List<Linear> linears,
        List<String> savedHeads) {

    /**
     * One parameter tensor.
     *
     * @param name the HF state-dict name ({@code model.layers.0.self_attn.q_proj.weight})
     * @param rows the first dimension (1 for a vector)
     * @param columns the product of the other dimensions
     */
    public record Tensor(String name, long rows, long columns) {
        /** @return the number of scalars */
        public long elements() {
            return rows * columns;
        }

        /** @return the module path: the name without its last segment */
        public String modulePath() {
            int dot = name.lastIndexOf('.');
            return dot < 0 ? "" : name.substring(0, dot);
        }
    }

    /**
     * One linear layer {@code y = x W^T + b}.
     *
     * @param path the HF module path ({@code encoder.layer.0.attention.self.query})
     * @param inFeatures the input width
     * @param outFeatures the output width
     * @param bias whether it adds a bias
     */
    public record Linear(String path, int inFeatures, int outFeatures, boolean bias) {}

    /** Copies the lists. */
    public ModelShape {
        defaultTargetModules = List.copyOf(defaultTargetModules);
        parameters = List.copyOf(parameters);
        linears = List.copyOf(linears);
        savedHeads = List.copyOf(savedHeads);
    }

    /** @return the number of parameter scalars */
    public long parameterCount() {
        return parameters.stream().mapToLong(Tensor::elements).sum();
    }

    /** @return the width of the keys (and values) of one layer, {@code numKeyValueHeads * headDim} */
    public int keyValueDim() {
        return numKeyValueHeads * headDim;
    }

    /**
     * Every module path in model order (parents before children), derived from the parameter
     * names and the linear layers; the root ({@code ""}) is not listed.
     *
     * @return the paths
     */
    public List<String> modulePaths() {
        Set<String> out = new LinkedHashSet<>();
        List<String> leaves = new ArrayList<>();
        parameters.forEach(tensor -> leaves.add(tensor.modulePath()));
        linears.forEach(linear -> leaves.add(linear.path()));
        for (String leaf : leaves) {
            int dot = -1;
            while ((dot = leaf.indexOf('.', dot + 1)) >= 0) {
                out.add(leaf.substring(0, dot));
            }
            if (!leaf.isEmpty()) {
                out.add(leaf);
            }
        }
        return List.copyOf(out);
    }

    /**
     * @param path a module path
     * @return the linear layer at {@code path}
     * @throws IllegalArgumentException if there is none
     */
    public Linear linear(String path) {
        return linears.stream().filter(l -> l.path().equals(path)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no linear layer '" + path + "' in this " + family + " model"));
    }

    /**
     * The parameters of the module at {@code path} and below.
     *
     * @param path a module path
     * @return the tensors whose names start with {@code path + "."}
     */
    public List<Tensor> parametersUnder(String path) {
        return parameters.stream().filter(t -> t.name().startsWith(path + ".")).toList();
    }
}
