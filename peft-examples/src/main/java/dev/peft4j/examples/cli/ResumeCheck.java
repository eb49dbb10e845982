package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.train.TrainingRecipe;
import java.nio.file.Path;
import java.util.Objects;
import java.util.TreeSet;

/**
 * {@code peft train --resume DIR} keeps the checkpoint's config: flags or a {@code --config} file
 * may repeat its values but not change them. The error names the first key that differs.
 */
final class ResumeCheck {

    private ResumeCheck() {}

    /**
     * @throws IllegalArgumentException {@code cannot resume from F: its lr is 5.0E-4, the command line says 0.001;
     *     a resumed run keeps the checkpoint's config}
     */
    static void requireUnchanged(PeftRuntime runtime, Path folder, RunSpec saved, PeftConfig config, TrainingRecipe recipe,
            Integer maxTrainSamples, Integer maxEvalSamples) {
        ObjectMapper mapper = runtime.objectMapper();
        PeftConfig savedConfig = runtime.readUserConfig(saved.methodConfig().toString());
        if (!savedConfig.equals(config)) {
            requireSameFields(folder, tree(mapper, runtime.writeConfig(savedConfig)), tree(mapper, runtime.writeConfig(config)));
        }
        TrainingRecipe savedRecipe = RecipeJson.read(mapper, saved.recipe().deepCopy());
        if (!savedRecipe.equals(recipe)) {
            requireSameFields(folder, mapper.valueToTree(savedRecipe), mapper.valueToTree(recipe));
        }
        requireSame(folder, "max_train_samples", saved.maxTrainSamples(), maxTrainSamples);
        requireSame(folder, "max_eval_samples", saved.maxEvalSamples(), maxEvalSamples);
    }

    private static void requireSame(Path folder, String key, Integer saved, Integer given) {
        if (given != null && !given.equals(saved)) {
            throw mismatch(folder, key, saved == null ? "all" : saved.toString(), given.toString());
        }
    }

    private static void requireSameFields(Path folder, JsonNode saved, JsonNode given) {
        TreeSet<String> keys = new TreeSet<>();
        saved.fieldNames().forEachRemaining(keys::add);
        given.fieldNames().forEachRemaining(keys::add);
        for (String key : keys) {
            JsonNode was = saved.get(key);
            JsonNode is = given.get(key);
            if (!Objects.equals(was, is)) {
                throw mismatch(folder, key, text(was), text(is));
            }
        }
        throw new IllegalStateException("configs differ but no key does");
    }

    private static IllegalArgumentException mismatch(Path folder, String key, String saved, String given) {
        return new IllegalArgumentException("cannot resume from " + folder + ": its " + key + " is " + saved
                + ", the command line says " + given + "; a resumed run keeps the checkpoint's config");
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? "unset" : node.isTextual() ? node.asText() : node.toString();
    }

    private static JsonNode tree(ObjectMapper mapper, String json) {
        try {
            return mapper.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
