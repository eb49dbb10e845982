package dev.peft4j.examples.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.runtime.PeftRuntime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison recipe: defaults, precedence, and the messages for bad keys and values. */
class CompareRecipeTest {

    private static final PeftRuntime RUNTIME = PeftRuntime.discover();
    private static final ObjectMapper MAPPER = RUNTIME.objectMapper();

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) MAPPER.readTree(text);
    }

    private static MethodPlan method(CompareRecipe recipe, String alias) {
        return recipe.methods().stream().filter(m -> m.alias().equals(alias)).findFirst().orElseThrow();
    }

    @Test
    void theDefaultRecipeRunsFiveMethodsWithTheirLearningRatesOnMiniLm() {
        CompareRecipe recipe = CompareRecipe.read(RUNTIME, false, null, "compare recipe", null);
        assertThat(recipe.methods()).extracting(MethodPlan::alias).containsExactly("full", "lora", "bottleneck", "prefix", "prompt");
        assertThat(recipe.methods()).extracting(m -> m.recipe().get("lr").asDouble()).containsExactly(1e-4, 1e-3, 1e-3, 1e-2, 3e-2);
        assertThat(method(recipe, "bottleneck").methodConfig().get("placement").asText()).isEqualTo("houlsby");
        assertThat(method(recipe, "lora").methodConfig().get("r").asInt()).isEqualTo(8);
        assertThat(method(recipe, "lora").recipe().get("batch_size").asInt()).isEqualTo(32);
        assertThat(method(recipe, "lora").recipe().get("epochs").asInt()).isEqualTo(1);
        assertThat(recipe.model()).isEqualTo("all-minilm-l6-v2");
        assertThat(recipe.data().asText()).isEqualTo("rotten-tomatoes");
        assertThat(recipe.testFraction()).isEqualTo(0.2);
        assertThat(recipe.maxTrainSamples()).isNull();
        assertThat(recipe.forgettingSentences()).isEqualTo(3000);
        assertThat(recipe.json().get("methods").get("prompt").get("lr").asDouble()).isEqualTo(3e-2);
    }

    @Test
    void quickShortensTheRunAndKeepsTheMethods() {
        CompareRecipe recipe = CompareRecipe.read(RUNTIME, true, null, "compare recipe", null);
        assertThat(recipe.maxTrainSamples()).isEqualTo(256);
        assertThat(recipe.maxEvalSamples()).isEqualTo(200);
        assertThat(recipe.forgettingSentences()).isEqualTo(200);
        assertThat(recipe.methods()).hasSize(5);
    }

    @Test
    void fileKeysOverrideDefaultsAndMethodKeysOverrideTheFile() throws Exception {
        ObjectNode file = json("""
                {"lr": 2e-4, "epochs": 2, "max_train_samples": 100, "methods": {"LORA": {"r": 16, "lr": 3e-3}, "full": {}}}""");
        CompareRecipe recipe = CompareRecipe.read(RUNTIME, true, file, "compare.json", null);
        assertThat(recipe.methods()).extracting(MethodPlan::alias).containsExactly("lora", "full");
        assertThat(method(recipe, "lora").recipe().get("lr").asDouble()).isEqualTo(3e-3);
        assertThat(method(recipe, "lora").methodConfig().get("r").asInt()).isEqualTo(16);
        assertThat(method(recipe, "lora").methodConfig().get("lora_alpha").asDouble()).isEqualTo(16.0);
        assertThat(method(recipe, "full").recipe().get("lr").asDouble()).isEqualTo(2e-4);
        assertThat(method(recipe, "full").recipe().get("epochs").asInt()).isEqualTo(2);
        assertThat(recipe.maxTrainSamples()).isEqualTo(100);
    }

    @Test
    void methodsFlagSelectsAndKeepsTheFilesOverrides() throws Exception {
        ObjectNode file = json("{\"methods\": {\"lora\": {\"r\": 4}}}");
        CompareRecipe recipe = CompareRecipe.read(RUNTIME, false, file, "compare.json", List.of("prompt", "lora"));
        assertThat(recipe.methods()).extracting(MethodPlan::alias).containsExactly("prompt", "lora");
        assertThat(method(recipe, "lora").methodConfig().get("r").asInt()).isEqualTo(4);
        assertThat(method(recipe, "prompt").recipe().get("lr").asDouble()).isEqualTo(3e-2);
    }

    @Test
    void recipeFlagsOverrideEveryMethod() throws Exception {
        ObjectNode file = json("{\"methods\": {\"lora\": {\"lr\": 3e-3}, \"prompt\": {}}}");
        CompareRecipe recipe = CompareRecipe.read(RUNTIME, false, file, "compare.json", null, json("{\"lr\": 5e-4, \"epochs\": 2}"));
        assertThat(recipe.methods()).extracting(m -> m.recipe().get("lr").asDouble()).containsExactly(5e-4, 5e-4);
        assertThat(recipe.methods()).extracting(m -> m.recipe().get("epochs").asInt()).containsExactly(2, 2);
        assertThat(recipe.json().get("epochs").asInt()).isEqualTo(2);
    }

    @Test
    void unknownTopLevelKeyNamesTheKnownOnes() throws Exception {
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"lrr\": 1}"), "compare.json", null))
                .hasMessage("compare.json: unknown key 'lrr'; known: [batch_size, child_heap, data, epochs, forgetting_sentences, "
                        + "gradient_accumulation_steps, lr, max_eval_samples, max_grad_norm, max_length, max_train_samples, "
                        + "method_timeout_minutes, methods, model, seed, split_seed, test_fraction, warmup_ratio, weight_decay]");
    }

    @Test
    void unknownMethodKeyNamesTheMethodAndItsKeys() throws Exception {
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"methods\": {\"prompt\": {\"rr\": 1}}}"), "compare.json", null))
                .hasMessageStartingWith("methods.prompt: unknown key 'rr'; known: [")
                .hasMessageContaining("num_virtual_tokens").hasMessageContaining("lr");
    }

    @Test
    void invalidValuesAreReportedPerMethodBeforeAnythingRuns() throws Exception {
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"methods\": {\"lora\": {\"r\": 0}}}"), "compare.json", null))
                .hasMessage("methods.lora: lora.r must be > 0, got 0");
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"methods\": {\"full\": {\"batch_size\": 0}}}"), "c.json", null))
                .hasMessage("methods.full: recipe.batch_size must be > 0, got 0");
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"test_fraction\": 1.5}"), "c.json", null))
                .hasMessage("test_fraction must be a number in (0, 1), got 1.5");
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"max_train_samples\": 0}"), "c.json", null))
                .hasMessage("max_train_samples must be an integer >= 1, got 0");
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"data\": {\"file\": \"x.csv\", \"txt\": 1}}"), "c.json", null))
                .hasMessage("data: unknown key 'txt'; known: [file, format, header, label_column, text_column]");
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"child_heap\": \"lots\"}"), "c.json", null))
                .hasMessage("child_heap must be a heap size such as \"512m\" or \"1g\", got \"lots\"");
    }

    @Test
    void unknownOrRepeatedMethodsFail() {
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, null, "c.json", List.of("lorra")))
                .hasMessageStartingWith("unknown method 'lorra'; known: [");
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, null, "c.json", List.of("lora", "LORA")))
                .hasMessage("method 'lora' is named twice");
    }

    @Test
    void methodsNotSelectedAreStillValidated() throws Exception {
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"methods\": {\"lora\": {\"rr\": 4}}}"), "c.json",
                List.of("prompt")))
                .hasMessageStartingWith("methods.lora: unknown key 'rr'; known: [");
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"methods\": {\"lora\": {\"r\": 0}}}"), "c.json",
                List.of("prompt")))
                .hasMessage("methods.lora: lora.r must be > 0, got 0");
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"methods\": {\"lorra\": {}}}"), "c.json",
                List.of("prompt")))
                .hasMessageStartingWith("unknown method 'lorra'; known: [");
        CompareRecipe recipe = CompareRecipe.read(RUNTIME, false, json("{\"methods\": {\"lora\": {\"r\": 4}}}"), "c.json",
                List.of("prompt"));
        assertThat(recipe.methods()).extracting(MethodPlan::alias).containsExactly("prompt");
        assertThat(recipe.json().get("methods").has("lora")).isFalse();
    }

    @Test
    void sharedRecipeErrorsNameTheFileOrTheFlagNotAMethod() throws Exception {
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"epochs\": -1}"), "compare.json", null))
                .hasMessage("compare.json: recipe.epochs must be > 0, got -1");
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, true, null, "compare recipe", null, json("{\"epochs\": 0}")))
                .hasMessage("--epochs: recipe.epochs must be > 0, got 0");
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"methods\": {\"lora\": {\"epochs\": 0}}}"), "c.json",
                null))
                .hasMessage("methods.lora: recipe.epochs must be > 0, got 0");
    }

    @Test
    void wrongJsonTypesGetOneCleanLine() throws Exception {
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"epochs\": \"two\"}"), "compare.json", null))
                .hasMessage("compare.json: recipe.epochs must be an integer, got \"two\"");
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"batch_size\": 1.5}"), "compare.json", null))
                .hasMessage("compare.json: recipe.batch_size must be an integer, got 1.5");
        assertThatThrownBy(() -> CompareRecipe.read(RUNTIME, false, json("{\"methods\": {\"lora\": {\"lr\": \"fast\"}}}"), "c.json",
                null))
                .hasMessage("methods.lora: recipe.lr must be a number, got \"fast\"");
    }
}
