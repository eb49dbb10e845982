package dev.peft4j.core.io.hf;

import dev.peft4j.core.io.ModelFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How the tensor names of an HF decoder checkpoint map onto the state-dict names of its
 * causal-LM model ({@code LlamaForCausalLM}, {@code GPT2LMHeadModel}), following what HF
 * transformers' {@code from_pretrained} accepts:
 *
 * <ul>
 *   <li>the base-model prefix ({@code base_model_prefix}: {@code model.} for Llama,
 *       {@code transformer.} for GPT-2) is added to names that lack it, so a checkpoint of the bare
 *       base model ({@code GPT2Model}: {@code wte.weight}, {@code h.0.attn.c_attn.weight};
 *       {@code LlamaModel}: {@code layers.0...}) loads as well as one of the LM-head model;
 *   <li>buffers that are not parameters are dropped: GPT-2's causal-mask buffers
 *       {@code h.N.attn.bias} and {@code h.N.attn.masked_bias} (written by transformers before 4.31),
 *       Llama's rotary {@code rotary_emb.inv_freq} (written by old versions);
 *   <li>{@code lm_head.weight} of a model whose head is tied to the input embedding is dropped (HF
 *       writes it in some tied checkpoints; the tied head uses the embedding matrix); a tied
 *       checkpoint that omits it is complete.
 * </ul>
 *
 * <p>Two file names that map onto one state-dict name ({@code wte.weight} and
 * {@code transformer.wte.weight}) are an error, since either choice could be the wrong one.
 */
public enum DecoderKeyLayout {

    /** {@code LlamaForCausalLM}: {@code model.embed_tokens}, {@code model.layers.N}, {@code model.norm}, {@code lm_head}. */
    LLAMA("model.", Pattern.compile("model\\.(layers\\.\\d+\\.self_attn\\.)?rotary_emb\\.inv_freq")),
    /** {@code GPT2LMHeadModel}: {@code transformer.wte/wpe/h.N/ln_f}, {@code lm_head} always tied to {@code transformer.wte}. */
    GPT2("transformer.", Pattern.compile("transformer\\.h\\.\\d+\\.attn\\.(bias|masked_bias)"));

    /** The output projection's weight name. */
    public static final String LM_HEAD_WEIGHT = "lm_head.weight";

    private final String basePrefix;
    private final Pattern buffers;

    DecoderKeyLayout(String basePrefix, Pattern buffers) {
        this.basePrefix = basePrefix;
        this.buffers = buffers;
    }

    /** @return HF's {@code base_model_prefix} plus a dot: {@code model.} or {@code transformer.} */
    public String basePrefix() {
        return basePrefix;
    }

    /**
     * The result of {@link #normalise}.
     *
     * @param fileNames state-dict name to the tensor's name in the files, in file order; unmodifiable
     * @param sourceFiles state-dict name to the file holding the tensor; unmodifiable
     * @param ignored file names dropped (buffers, a tied {@code lm_head.weight}), each with the reason
     */
    public record Normalised(Map<String, String> fileNames, Map<String, String> sourceFiles, List<String> ignored) {

        /** Copies the collections, keeping their order. */
        public Normalised {
            fileNames = Collections.unmodifiableMap(new LinkedHashMap<>(fileNames));
            sourceFiles = Collections.unmodifiableMap(new LinkedHashMap<>(sourceFiles));
            ignored = List.copyOf(ignored);
        }
    }

    /**
     * Maps a checkpoint's tensor names onto state-dict names (names only: no tensor data is read).
     *
     * @param sourceFiles the checkpoint's tensor names, in file order, each with the file holding it
     * @param tiedHead whether the model's {@code lm_head} is tied to its input embedding
     * @param dir the directory, for messages
     * @return the renaming and what was dropped
     * @throws ModelFormatException {@code HF model directory <dir> has both 'transformer.wte.weight'
     *     (model.safetensors) and 'wte.weight' (model.safetensors)}
     */
    public Normalised normalise(Map<String, String> sourceFiles, boolean tiedHead, Path dir) throws ModelFormatException {
        Map<String, String> fileNames = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, String> tensor : sourceFiles.entrySet()) {
            String name = tensor.getKey();
            if (name.equals(LM_HEAD_WEIGHT) && tiedHead) {
                ignored.add(name + " (the head is tied to the input embedding)");
                continue;
            }
            String key = name.equals(LM_HEAD_WEIGHT) || name.startsWith(basePrefix) ? name : basePrefix + name;
            if (buffers.matcher(key).matches()) {
                ignored.add(name + " (a buffer, not a parameter)");
                continue;
            }
            String earlier = fileNames.putIfAbsent(key, name);
            if (earlier != null) {
                throw new ModelFormatException("HF model directory " + dir + " has both '" + earlier + "' ("
                        + sources.get(key) + ") and '" + name + "' (" + tensor.getValue() + ")");
            }
            sources.put(key, tensor.getValue());
        }
        return new Normalised(fileNames, sources, ignored);
    }
}
