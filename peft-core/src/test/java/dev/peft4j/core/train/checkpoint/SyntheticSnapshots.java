package dev.peft4j.core.train.checkpoint;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.train.AdamWState;
import dev.peft4j.core.train.StepEvent;
import dev.peft4j.core.train.TrainerState;
import dev.peft4j.core.train.TrainingRecipe;
import dev.peft4j.core.train.TrainingSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Snapshots built without DJL, every value a function of the step, so a read-back checkpoint can
 * be checked for wholeness: each tensor of a step-N snapshot holds only the value N.
 */
final class SyntheticSnapshots {

    static final TrainingRecipe RECIPE = new TrainingRecipe(1e-3, 1, 4, 16, 3L, 0.1, 0.0, 1.0, 1);
    static final long TOTAL_STEPS = 1_000;

    private SyntheticSnapshots() {}

    /**
     * @param step the update count
     * @param size elements per tensor
     * @return a consistent snapshot after update {@code step}
     */
    static TrainingSnapshot at(long step, int size) {
        List<StepEvent> history = new ArrayList<>();
        for (long s = 0; s < step; s++) {
            history.add(new StepEvent(0, s, TOTAL_STEPS, 1.0 / (s + 1), 1e-3, 0.5, 4, 40, 1_000));
        }
        TrainerState state = new TrainerState(TrainerState.FORMAT_VERSION, step, TOTAL_STEPS, 0, (int) step, (int) TOTAL_STEPS,
                4_000, 3, 3, 4 * step, 40 * step, RECIPE, history, List.of());
        HostTensor value = filled(size, step);
        return new TrainingSnapshot(state, Map.of("encoder.weight", value),
                new AdamWState(step, Map.of("encoder.weight.exp_avg", value, "encoder.weight.exp_avg_sq", value)),
                Map.of("base_model.model.encoder.weight", value));
    }

    static HostTensor filled(int size, long step) {
        float[] values = new float[size];
        Arrays.fill(values, step);
        return new HostTensor(new long[] {size}, values);
    }

    /**
     * @throws AssertionError unless every part of the checkpoint belongs to one step
     */
    static void requireWhole(TrainingCheckpoint checkpoint, int size) {
        long step = checkpoint.snapshot().state().globalStep();
        HostTensor expected = filled(size, step);
        TrainingSnapshot snapshot = checkpoint.snapshot();
        if (!snapshot.trainableParameters().get("encoder.weight").equals(expected)
                || !snapshot.optimizer().tensors().get("encoder.weight.exp_avg_sq").equals(expected)
                || !snapshot.adapterWeights().get("base_model.model.encoder.weight").equals(expected)
                || !checkpoint.folder().getFileName().toString().equals("step-" + step)) {
            throw new AssertionError("checkpoint " + checkpoint.folder() + " mixes steps");
        }
    }
}
