package dev.peft4j.core.io;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * HF PEFT's checkpoint key names ({@code get_peft_model_state_dict}): a parameter path inside the
 * adapted model becomes {@code base_model.model.<path>} with the adapter's name removed, e.g.
 * {@code bert.encoder.layer.0.attention.self.query.lora_A.default.weight ->
 * base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight} and
 * {@code classifier.modules_to_save.default.weight -> base_model.model.classifier.weight}.
 */
public final class AdapterKeys {

    /** The prefix HF PEFT's {@code PeftModel} puts before every module path. */
    public static final String PREFIX = "base_model.model.";

    /**
     * The one key under which HF PEFT saves a prompt-learning adapter's encoder output (prompt
     * tuning, prefix tuning): {@code (num_virtual_tokens, width)}, no {@link #PREFIX}.
     */
    public static final String PROMPT_EMBEDDINGS = "prompt_embeddings";

    private AdapterKeys() {}

    /**
     * @param parameterPath a dotted parameter path in the adapted model
     * @param adapterName the adapter whose parameters are saved
     * @return the HF PEFT checkpoint key
     */
    public static String toCheckpointKey(String parameterPath, String adapterName) {
        String quoted = Pattern.quote(adapterName);
        String key = parameterPath.replaceAll("(^|\\.)modules_to_save\\." + quoted + "\\.", "$1");
        key = key.replaceAll("\\." + quoted + "(?=\\.|$)", "");
        return PREFIX + key;
    }

    /**
     * HF PEFT's key for a parameter, removing the adapter name only where the adapter put it: a
     * path segment equal to the adapter's name (and a {@code modules_to_save} segment right before
     * one) is dropped only if the path up to it is not part of the base model (for a
     * {@code modules_to_save} segment: the path up to the adapter's copy, since an adapter added
     * earlier may have created the wrapper). So base modules
     * named {@code default}, {@code lora_A} or {@code weight} keep their names, where the plain
     * string rule of {@link #toCheckpointKey(String, String)} (and HF's {@code str.replace}) would
     * cut them.
     *
     * @param parameterPath a dotted parameter path in the adapted model
     * @param adapterName the adapter whose parameters are saved
     * @param inBaseModel whether a dotted path (a module or a parameter) exists in the base model
     *     before the adapter was injected
     * @return the HF PEFT checkpoint key
     */
    public static String toCheckpointKey(String parameterPath, String adapterName, Predicate<String> inBaseModel) {
        String[] segments = parameterPath.split("\\.");
        List<String> kept = new ArrayList<>(segments.length);
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (i > 0) {
                prefix.append('.');
            }
            prefix.append(segment);
            boolean added = !inBaseModel.test(prefix.toString());
            boolean adapterSegment = segment.equals(adapterName);
            // the copy's own segment decides: another adapter may have created modules_to_save before
            boolean savedCopy = segment.equals("modules_to_save") && i + 1 < segments.length
                    && segments[i + 1].equals(adapterName) && !inBaseModel.test(prefix + "." + adapterName);
            if ((added && adapterSegment) || savedCopy) {
                continue;
            }
            kept.add(segment);
        }
        return PREFIX + String.join(".", kept);
    }
}
