package dev.peft4j.core.train.lm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LmBatchAndRecipeTest {

    @Test
    void blocksArePaddedOnTheRightWithIgnoredLabels() {
        LmBatch batch = LmBatch.rightPadded(List.of(new int[] {5, 6, 7}, new int[] {8}), 2);
        assertThat(batch.inputIds()).isEqualTo(new long[][] {{5, 6, 7}, {8, 2, 2}});
        assertThat(batch.attentionMask()).isEqualTo(new long[][] {{1, 1, 1}, {1, 0, 0}});
        assertThat(batch.labels()).isEqualTo(new long[][] {{5, 6, 7}, {8, -100, -100}});
        assertThat(batch.realTokens()).isEqualTo(4);
        // a block of n tokens predicts n - 1: 2 + 0
        assertThat(batch.countedTokens()).isEqualTo(2);
    }

    @Test
    void badBlocksAreNamed() {
        assertThatThrownBy(() -> LmBatch.rightPadded(List.of(), 0)).hasMessage("a batch needs one or more token blocks");
        assertThatThrownBy(() -> LmBatch.rightPadded(List.of(new int[] {1}, new int[0]), 0)).hasMessage("token block 1 of the batch is empty");
        assertThatThrownBy(() -> LmBatch.rightPadded(List.of(new int[] {1, 4, 2, 9, -3}), 0))
                .hasMessage("token id -3 at position 4 of block 0 is negative");
        assertThatThrownBy(() -> LmBatch.rightPadded(List.of(new int[] {1}), -1)).hasMessage("pad_token_id must be >= 0, got -1");
    }

    @Test
    void recipeDefaultsAreHfsAndStepsFollowMaxStepsOrEpochs() {
        LmTrainingRecipe defaults = LmTrainingRecipe.defaults();
        assertThat(defaults.lr()).isEqualTo(5e-5);
        assertThat(defaults.epochs()).isEqualTo(3);
        assertThat(defaults.maxSteps()).isEqualTo(-1);
        assertThat(defaults.batchSize()).isEqualTo(8);
        assertThat(defaults.maxGradNorm()).isEqualTo(1.0);
        // 21 blocks: 3 batches of 8 per epoch, 3 epochs
        assertThat(defaults.updatesPerEpoch(21)).isEqualTo(3);
        assertThat(defaults.totalSteps(21)).isEqualTo(9);
        assertThat(defaults.withMaxSteps(100).totalSteps(21)).isEqualTo(100);
        LmTrainingRecipe accumulated = new LmTrainingRecipe(null, 2, null, 4, null, null, null, null, 2);
        // 21 blocks: 6 batches of 4, 3 updates of 2 batches, 2 epochs
        assertThat(accumulated.totalSteps(21)).isEqualTo(6);
    }

    @Test
    void badRecipeValuesAreNamed() {
        assertThatThrownBy(() -> new LmTrainingRecipe(0.0, null, null, null, null, null, null, null, null))
                .hasMessage("recipe.lr must be finite and > 0, got 0.0");
        assertThatThrownBy(() -> new LmTrainingRecipe(null, null, 0L, null, null, null, null, null, null))
                .hasMessage("recipe.max_steps must be -1 (use epochs) or > 0, got 0");
        assertThatThrownBy(() -> new LmTrainingRecipe(null, null, null, 0, null, null, null, null, null))
                .hasMessage("recipe.batch_size must be > 0, got 0");
        assertThatThrownBy(() -> new LmTrainingRecipe(null, null, null, null, null, 1.5, null, null, null))
                .hasMessage("recipe.warmup_ratio must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> new LmTrainingRecipe(null, null, null, null, null, null, -0.1, null, null))
                .hasMessage("recipe.weight_decay must be finite and >= 0, got -0.1");
        assertThatThrownBy(() -> new LmTrainingRecipe(null, null, null, null, null, null, null, -1.0, null))
                .hasMessage("recipe.max_grad_norm must be finite and >= 0 (0 disables clipping), got -1.0");
        assertThatThrownBy(() -> new LmTrainingRecipe(null, 0, null, null, null, null, null, null, null))
                .hasMessage("recipe.epochs must be > 0, got 0");
    }
}
