package dev.peft4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingRecipeTest {

    @Test
    void defaultsAreHfTrainingArguments() {
        assertThat(TrainingRecipe.defaults())
                .isEqualTo(new TrainingRecipe(5e-5, 3, 8, 128, 42L, 0.0, 0.0, 1.0, 1));
    }

    @Test
    void jsonUsesTheRecipeFlagNamesInSnakeCase() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        TrainingRecipe recipe = mapper.readValue("{\"lr\": 0.001, \"batch_size\": 32, \"max_length\": 64, "
                + "\"gradient_accumulation_steps\": 2, \"max_grad_norm\": 0}", TrainingRecipe.class);
        assertThat(recipe).isEqualTo(new TrainingRecipe(1e-3, 3, 32, 64, 42L, 0.0, 0.0, 0.0, 2));
        assertThat(mapper.readTree(mapper.writeValueAsString(recipe)).properties().stream().map(java.util.Map.Entry::getKey).toList())
                .containsExactly("lr", "epochs", "batch_size", "max_length", "seed", "warmup_ratio", "weight_decay",
                        "max_grad_norm", "gradient_accumulation_steps");
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> new TrainingRecipe(0.0, null, null, null, null, null, null, null, null))
                .hasMessage("recipe.lr must be finite and > 0, got 0.0");
        assertThatThrownBy(() -> new TrainingRecipe(null, 0, null, null, null, null, null, null, null))
                .hasMessage("recipe.epochs must be > 0, got 0");
        assertThatThrownBy(() -> new TrainingRecipe(null, null, 0, null, null, null, null, null, null))
                .hasMessage("recipe.batch_size must be > 0, got 0");
        assertThatThrownBy(() -> new TrainingRecipe(null, null, null, 1, null, null, null, null, null))
                .hasMessage("recipe.max_length must be >= 2 (room for [CLS] and [SEP]), got 1");
        assertThatThrownBy(() -> new TrainingRecipe(null, null, null, null, null, 1.5, null, null, null))
                .hasMessage("recipe.warmup_ratio must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> new TrainingRecipe(null, null, null, null, null, null, -0.1, null, null))
                .hasMessage("recipe.weight_decay must be finite and >= 0, got -0.1");
        assertThatThrownBy(() -> new TrainingRecipe(null, null, null, null, null, null, null, -1.0, null))
                .hasMessage("recipe.max_grad_norm must be finite and >= 0 (0 disables clipping), got -1.0");
        assertThatThrownBy(() -> new TrainingRecipe(null, null, null, null, null, null, null, null, 0))
                .hasMessage("recipe.gradient_accumulation_steps must be > 0, got 0");
    }

    @Test
    void shortLastBatchesAndGroupsStillMakeUpdates() {
        TrainingRecipe recipe = new TrainingRecipe(null, null, 8, null, null, null, null, null, 3);
        // 50 examples -> 7 batches -> groups of 3, 3, 1
        assertThat(recipe.updatesPerEpoch(50)).isEqualTo(3);
        assertThat(recipe.updatesPerEpoch(48)).isEqualTo(2);
    }

    @Test
    void epochOrderIsAPermutationKeyedBySeedAndEpoch() {
        int[] order = EpochShuffle.order(42, 0, 100);
        assertThat(order).containsExactlyInAnyOrder(java.util.stream.IntStream.range(0, 100).toArray());
        assertThat(EpochShuffle.order(42, 0, 100)).isEqualTo(order);
        assertThat(EpochShuffle.order(42, 1, 100)).isNotEqualTo(order);
        assertThat(EpochShuffle.order(43, 0, 100)).isNotEqualTo(order);
    }

    @Test
    void examplesNeedTextAndANonNegativeLabel() {
        assertThatThrownBy(() -> new TrainingExample("fine", -1)).hasMessage("label must be >= 0, got -1 for \"fine\"");
        assertThatThrownBy(() -> new TrainingExample(null, 0)).hasMessage("text");
    }

    @Test
    void residentSetSizeIsReadFromProcStatus() {
        assertThat(ProcessMemory.parseVmRss(List.of("Name:\tjava", "VmRSS:\t  123456 kB", "VmSwap:\t0 kB"))).isEqualTo(123456L * 1024);
        assertThat(ProcessMemory.parseVmRss(List.of("Name:\tjava"))).isZero();
        assertThat(ProcessMemory.heapUsedBytes()).isPositive();
    }
}
