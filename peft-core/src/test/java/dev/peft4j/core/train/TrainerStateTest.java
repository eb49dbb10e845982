package dev.peft4j.core.train;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A {@link TrainerState} read from disk must be self-consistent: every counter is checked against the others. */
class TrainerStateTest {

    /** 44 examples, batches of 8 (6 per epoch), accumulation 2: 3 updates per epoch, 2 epochs. */
    private static final TrainingRecipe RECIPE = TinyTask.recipe(1e-2, 2, 8, 17, 2);

    private static List<StepEvent> history(int steps) {
        List<StepEvent> out = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            out.add(new StepEvent(s / 3, s, 6, 0.5, 1e-2, 1.0, 16, 100, 1));
        }
        return out;
    }

    private static TrainerState state(long step, int epoch, int nextBatch, int batches, int examples, long total, long seed,
            List<EpochMetrics> epochs) {
        return new TrainerState(TrainerState.FORMAT_VERSION, step, total, epoch, nextBatch, batches, examples, seed, seed,
                0, 0, RECIPE, history((int) step), epochs);
    }

    @Test
    void consistentPositionsAreAccepted() {
        state(4, 1, 2, 6, 44, 6, 17, List.of(new EpochMetrics(0, 0.5, null)));
        // the last update of epoch 0 done, its evaluation not yet
        state(3, 0, 6, 6, 44, 6, 17, List.of());
        state(6, 2, 0, 6, 44, 6, 17, List.of(new EpochMetrics(0, 0.5, null), new EpochMetrics(1, 0.5, null)));
    }

    @Test
    void inconsistentCountersAreNamed() {
        assertThatThrownBy(() -> state(4, 1, 4, 6, 44, 6, 17, List.of(new EpochMetrics(0, 0.5, null))))
                .hasMessage("trainer_state.global_step is 4 but epoch 1, next_batch 4 is the position after 5 updates");
        assertThatThrownBy(() -> state(4, 1, 2, 5, 44, 6, 17, List.of()))
                .hasMessage("trainer_state.batches_per_epoch is 5 but 44 train_examples in batches of 8 make 6");
        assertThatThrownBy(() -> state(4, 1, 2, 6, 44, 8, 17, List.of()))
                .hasMessage("trainer_state.total_steps is 8 but the recipe makes 6 updates of 44 train_examples");
        assertThatThrownBy(() -> state(4, 1, 2, 6, 44, 6, 18, List.of()))
                .hasMessage("trainer_state.shuffle_seed (18) and dropout_seed (18) must equal recipe.seed (17)");
        assertThatThrownBy(() -> state(4, 1, 2, 6, 44, 6, 17, List.of()))
                .hasMessage("trainer_state.epochs has 0 entries but epoch is 1");
        assertThatThrownBy(() -> state(7, 2, 0, 6, 44, 6, 17, List.of()))
                .hasMessage("trainer_state.global_step must be in [0, 6], got 7");
        assertThatThrownBy(() -> new TrainerState(2, 0, 6, 0, 0, 6, 44, 17, 17, 0, 0, RECIPE, List.of(), List.of()))
                .hasMessage("trainer_state.format_version must be 1, got 2");
    }
}
