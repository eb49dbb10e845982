package dev.peft4j.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.examples.data.PatternDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The task of a {@code peft train} adapter, kept in its {@code adapter_config.json} under peft4j's
 * provenance object ({@code "peft4j": {"dataset": "spam", "label_names": ["spam", "legitimate"]}}),
 * which HF PEFT ignores (HF keeps {@code id2label} in the base model's {@code config.json}, which an
 * adapter folder does not have). {@code peft eval}, {@code peft predict} and {@code peft serve-demo}
 * read it back; adapters saved before it existed (or by HF) mean Rotten Tomatoes polarity.
 */
final class AdapterLabels {

    static final String PROVENANCE = "peft4j";
    static final String DATASET = "dataset";
    static final String LABEL_NAMES = "label_names";

    private AdapterLabels() {}

    /**
     * @param mapper a mapper
     * @param configJson an {@code adapter_config.json} as {@code PeftModel.adapterConfigJson} writes it
     * @param dataset the task the adapter is trained on
     * @return the same JSON with the dataset and its label names added to the provenance
     */
    static String add(ObjectMapper mapper, String configJson, PatternDataset dataset) {
        try {
            ObjectNode node = (ObjectNode) mapper.readTree(configJson);
            JsonNode existing = node.get(PROVENANCE);
            ObjectNode provenance = existing instanceof ObjectNode object ? object : node.putObject(PROVENANCE);
            provenance.put(DATASET, dataset.cliName());
            ArrayNode names = provenance.putArray(LABEL_NAMES);
            dataset.labelNames().forEach(names::add);
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(mapper.treeToValue(node, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot extend the adapter config: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * @param mapper a mapper
     * @param configJson an {@code adapter_config.json}
     * @return the dataset recorded in it, {@link PatternDataset#POLARITY} when none is
     * @throws IllegalArgumentException if it names an unknown dataset
     */
    static PatternDataset dataset(ObjectMapper mapper, String configJson) {
        JsonNode value = provenance(mapper, configJson).map(p -> p.get(DATASET)).orElse(null);
        return value == null || !value.isTextual() ? PatternDataset.POLARITY : PatternDataset.byName(value.asText());
    }

    /**
     * @param mapper a mapper
     * @param configJson an {@code adapter_config.json}
     * @return the label names recorded in it, if any
     */
    static Optional<List<String>> labelNames(ObjectMapper mapper, String configJson) {
        JsonNode value = provenance(mapper, configJson).map(p -> p.get(LABEL_NAMES)).orElse(null);
        if (value == null || !value.isArray()) {
            return Optional.empty();
        }
        List<String> names = new ArrayList<>();
        value.forEach(name -> names.add(name.asText()));
        return Optional.of(List.copyOf(names));
    }

    private static Optional<JsonNode> provenance(ObjectMapper mapper, String configJson) {
        try {
            return Optional.ofNullable(mapper.readTree(configJson).get(PROVENANCE));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
