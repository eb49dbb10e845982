package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.model.TaskType;
import java.io.IOException;

/**
 * The {@code adapter_config.json} written next to trained weights: the method's config as HF PEFT
 * writes it, plus HF's bookkeeping keys and peft4j's provenance.
 */
final class AdapterConfigJson {

    /** HF hub name of all-MiniLM-L6-v2, the base model of the default recipe. */
    static final String MINILM_HUB_NAME = "sentence-transformers/all-MiniLM-L6-v2";

    private AdapterConfigJson() {}

    /**
     * @param mapper the runtime's mapper
     * @param configJson the config as written by {@code PeftRuntime.writeConfig}
     * @param taskType the model head
     * @param baseModel HF's {@code base_model_name_or_path}
     * @return the JSON text
     * @throws IOException if the config JSON cannot be parsed
     */
    static String of(ObjectMapper mapper, String configJson, TaskType taskType, String baseModel) throws IOException {
        ObjectNode node = (ObjectNode) mapper.readTree(configJson);
        node.put("task_type", taskType.name());
        node.put("base_model_name_or_path", baseModel);
        node.put("inference_mode", true);
        ObjectNode provenance = node.putObject("peft4j");
        provenance.put("pooling", "mean");
        provenance.put("classifier_dropout", 0.1);
        provenance.put("version", "0.1.0-SNAPSHOT");
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(mapper.treeToValue(node, Object.class));
    }
}
