package dev.peft4j.core.train;

import ai.djl.nn.Parameter;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.peft4j.core.io.HostTensor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Checks that a {@link TrainingSnapshot} belongs to the run a {@link Trainer} is about to start
 * (same recipe, same number of training examples, same trainable parameters and shapes) and
 * then restores its parameters and optimizer state. Nothing is changed when a check fails.
 */
final class SnapshotRestore {

    private SnapshotRestore() {}

    /**
     * @throws IllegalArgumentException starting with {@code cannot resume: } and naming the first
     *     difference, e.g. {@code cannot resume: the checkpoint's recipe.lr is 0.01, this run's is 0.02}
     */
    static RunLedger restore(TrainingSnapshot snapshot, AdamW optimizer, TrainingRecipe recipe, int trainExamples,
            long totalSteps) {
        TrainerState state = snapshot.state();
        requireSameRecipe(state.recipe(), recipe);
        if (state.trainExamples() != trainExamples) {
            throw new IllegalArgumentException("cannot resume: the checkpoint was trained on " + state.trainExamples()
                    + " examples per epoch, this run has " + trainExamples);
        }
        if (state.totalSteps() != totalSteps) {
            throw new IllegalArgumentException("cannot resume: the checkpoint plans " + state.totalSteps()
                    + " updates, this run " + totalSteps);
        }
        Map<String, Parameter> trainable = optimizer.parameters();
        Map<String, HostTensor> saved = snapshot.trainableParameters();
        var missing = trainable.keySet().stream().filter(k -> !saved.containsKey(k)).sorted().toList();
        var unexpected = saved.keySet().stream().filter(k -> !trainable.containsKey(k)).sorted().toList();
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("cannot resume: the checkpoint's trainable parameters do not fit the model: missing "
                    + abbreviated(missing) + ", unexpected " + abbreviated(unexpected));
        }
        trainable.forEach((name, parameter) -> {
            long[] want = parameter.getArray().getShape().getShape();
            long[] have = saved.get(name).shape();
            if (!Arrays.equals(want, have)) {
                throw new IllegalArgumentException("cannot resume: the checkpoint's parameter '" + name + "' has shape "
                        + Arrays.toString(have) + ", the model's has " + Arrays.toString(want));
            }
        });
        try {
            optimizer.loadState(snapshot.optimizer());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot resume: " + e.getMessage(), e);
        }
        trainable.forEach((name, parameter) -> parameter.getArray().set(saved.get(name).values()));
        return RunLedger.resumed(state);
    }

    /** At most five names, then how many more: keeps the message one readable line. */
    static String abbreviated(java.util.List<String> names) {
        if (names.size() <= 5) {
            return names.toString();
        }
        return "[" + String.join(", ", names.subList(0, 5)) + ", ... " + (names.size() - 5) + " more]";
    }

    private static void requireSameRecipe(TrainingRecipe saved, TrainingRecipe current) {
        for (RecordComponent component : TrainingRecipe.class.getRecordComponents()) {
            Object was = value(component, saved);
            Object is = value(component, current);
            if (!Objects.equals(was, is)) {
                throw new IllegalArgumentException("cannot resume: the checkpoint's recipe."
                        + jsonName(component) + " is " + was + ", this run's is " + is);
            }
        }
    }

    private static String jsonName(RecordComponent component) {
        JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class);
        return property == null ? component.getName() : property.value();
    }

    private static Object value(RecordComponent component, TrainingRecipe recipe) {
        try {
            return component.getAccessor().invoke(recipe);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
