package dev.peft4j.core.train;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.runtime.PeftModel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to continue a run exactly where it stood after an update, in host memory:
 * the position and history ({@link TrainerState}), the trainable parameters keyed by their
 * internal parameter path (all of them, so a prefix-projection network is kept although the
 * adapter file holds only its output), the {@link AdamW} moments and step, and the adapter as HF
 * PEFT saves it ({@link dev.peft4j.core.runtime.PeftModel#adapterWeights()}), for inference.
 *
 * <p>A {@link Trainer} started from a snapshot ({@link Trainer.Builder#optResumeFrom}) reproduces
 * the uninterrupted run's losses and parameters bit for bit: the data order is keyed by
 * {@code (seed, epoch)}, dropout masks by {@code (seed, forward pass, module path)}, the schedule
 * by the update index over the original total, and the optimizer's state is restored as it was.
 *
 * @param state position, seeds, recipe and history
 * @param trainableParameters fp32 values of every trainable parameter, by dotted path
 * @param optimizer AdamW's step count and moments; its step equals {@code state.global_step}
 * @param adapterWeights the adapter's tensors by HF PEFT checkpoint key
 */
public record TrainingSnapshot(TrainerState state, Map<String, HostTensor> trainableParameters, AdamWState optimizer,
        Map<String, HostTensor> adapterWeights) {

    /**
     * @throws IllegalArgumentException if the optimizer's step differs from the state's
     *     {@code global_step}
     */
    public TrainingSnapshot {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(optimizer, "optimizer");
        trainableParameters = Collections.unmodifiableMap(new LinkedHashMap<>(trainableParameters));
        adapterWeights = Collections.unmodifiableMap(new LinkedHashMap<>(adapterWeights));
        if (optimizer.step() != state.globalStep()) {
            throw new IllegalArgumentException("the optimizer state has taken " + optimizer.step()
                    + " steps but trainer_state.global_step is " + state.globalStep());
        }
    }

    /**
     * Copies the run's current state to host memory.
     *
     * @param state the trainer's position and history
     * @param optimizer the optimizer, whose parameters are the trainable ones
     * @param model the model, for its HF-format adapter tensors
     * @return the snapshot
     */
    public static TrainingSnapshot capture(TrainerState state, AdamW optimizer, PeftModel model) {
        Map<String, HostTensor> trainable = new LinkedHashMap<>();
        optimizer.parameters().forEach((name, parameter) -> {
            var array = parameter.getArray();
            trainable.put(name, new HostTensor(array.getShape().getShape(), array.toFloatArray()));
        });
        return new TrainingSnapshot(state, trainable, optimizer.state(), model.adapterWeights());
    }
}
