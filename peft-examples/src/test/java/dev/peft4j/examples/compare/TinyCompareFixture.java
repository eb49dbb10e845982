package dev.peft4j.examples.compare;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.io.hf.HfBertDirectory;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.train.TinyTask;
import dev.peft4j.core.train.TrainingExample;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny comparison for tests: a random {@link TinyBert} saved as an HF model directory (config,
 * safetensors and the 36-token {@code tiny-tokenizer.json}), 40 labelled sentences of
 * {@link TinyTask} as a CSV file (32 train / 8 held-out), and a recipe over both with batch 8,
 * max length 16, no warm-up and 4 virtual tokens for prefix and prompt tuning (TinyBert has 32 positions).
 */
public final class TinyCompareFixture {

    private TinyCompareFixture() {}

    /**
     * @param dir where to write the model and the data
     * @param mapper for the recipe
     * @return the recipe (no {@code methods} key)
     * @throws IOException if writing fails
     */
    public static ObjectNode recipe(Path dir, ObjectMapper mapper) throws IOException {
        Path tokenizer = dir.resolve("tiny-tokenizer.json");
        try (InputStream in = TinyTask.class.getResourceAsStream("tiny-tokenizer.json")) {
            Files.copy(in, tokenizer);
        }
        Path model = dir.resolve("tiny-bert");
        try (NDManager manager = NDManager.newBaseManager();
                TransformerModel bert = TinyBert.create(manager, TaskType.FEATURE_EXTRACTION)) {
            HfBertDirectory.save(model, TinyBert.config(), bert.encoderWeights(), tokenizer);
        }
        StringBuilder csv = new StringBuilder("text,label\n");
        List<TrainingExample> examples = TinyTask.examples(7, 40);
        for (TrainingExample example : examples) {
            csv.append(example.text()).append(',').append(example.label() == 1 ? "pos" : "neg").append('\n');
        }
        Path data = dir.resolve("tiny.csv");
        Files.writeString(data, csv, StandardCharsets.UTF_8);
        ObjectNode recipe = mapper.createObjectNode().put("model", model.toString());
        recipe.putObject("data").put("file", data.toString());
        return recipe.put("batch_size", 8).put("max_length", TinyTask.MAX_LENGTH).put("warmup_ratio", 0.0)
                .put("child_heap", "256m").put("forgetting_sentences", 20);
    }

    /**
     * @param recipe the recipe to add the methods to
     * @return the methods object, with all five and 4 virtual tokens for prefix and prompt
     */
    public static ObjectNode allMethods(ObjectNode recipe) {
        ObjectNode methods = recipe.putObject("methods");
        methods.putObject("full");
        methods.putObject("lora");
        methods.putObject("bottleneck");
        methods.putObject("prefix").put("num_virtual_tokens", 4);
        methods.putObject("prompt").put("num_virtual_tokens", 4);
        return methods;
    }
}
