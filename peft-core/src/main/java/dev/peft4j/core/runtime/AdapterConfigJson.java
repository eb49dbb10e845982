package dev.peft4j.core.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.model.TaskType;

/**
 * The {@code adapter_config.json} that {@link PeftModel#savePretrained} writes: the applied
 * config as HF PEFT writes it ({@code peft_type} and HF's snake_case keys, sorted), HF's
 * bookkeeping keys ({@code task_type}, {@code base_model_name_or_path}, {@code inference_mode}) and
 * peft4j's provenance under {@value #PROVENANCE}, which HF PEFT ignores and
 * {@link PeftConfigs#readHfConfig} accepts with any value.
 */
final class AdapterConfigJson {

    /** The key of peft4j's provenance object. */
    static final String PROVENANCE = "peft4j";
    /** peft4j's version, recorded in the provenance. */
    static final String VERSION = "0.1.0-SNAPSHOT";

    private AdapterConfigJson() {}

    /**
     * @param mapper the runtime's mapper (sorts map keys)
     * @param configJson the config as {@link PeftConfigs#writeConfig} writes it
     * @param taskType the model's head
     * @param options the base model's name and what was saved
     * @return pretty JSON, keys sorted
     */
    static String of(ObjectMapper mapper, String configJson, TaskType taskType, SaveOptions options) {
        try {
            ObjectNode node = (ObjectNode) mapper.readTree(configJson);
            node.put("task_type", taskType.name());
            if (options.baseModelNameOrPath() == null) {
                node.putNull("base_model_name_or_path");
            } else {
                node.put("base_model_name_or_path", options.baseModelNameOrPath());
            }
            node.put("inference_mode", true);
            ObjectNode provenance = node.putObject(PROVENANCE);
            provenance.put("version", VERSION);
            provenance.put("saved", options.promptEncoderParameters() ? "parameters" : "inference");
            if (taskType == TaskType.SEQ_CLS) {
                provenance.put("pooling", "mean");
                provenance.put("classifier_dropout", 0.1);
            }
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(mapper.treeToValue(node, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot extend the config JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * @param mapper a mapper
     * @param configJson an {@code adapter_config.json}, already validated
     * @return whether the file holds peft4j's provenance (written by peft4j rather than HF PEFT)
     */
    static boolean writtenByPeft4j(ObjectMapper mapper, String configJson) {
        return field(mapper, configJson, PROVENANCE) != null;
    }

    /**
     * @param mapper a mapper
     * @param configJson an {@code adapter_config.json}, already validated
     * @param key a top-level key
     * @return its value, or {@code null}
     */
    static JsonNode field(ObjectMapper mapper, String configJson, String key) {
        try {
            return mapper.readTree(configJson).get(key);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
