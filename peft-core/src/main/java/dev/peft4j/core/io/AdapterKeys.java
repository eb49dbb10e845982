package dev.peft4j.core.io;

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
}
