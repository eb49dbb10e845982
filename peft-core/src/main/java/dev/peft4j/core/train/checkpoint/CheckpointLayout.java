package dev.peft4j.core.train.checkpoint;

import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of a run's training checkpoints:
 * <pre>
 * &lt;run&gt;/checkpoints/
 *   latest                            the name of the newest complete step folder ("step-6")
 *   step-4/                           one folder per saved update
 *     adapter_config.json             the adapter as HF PEFT saves it (inference)
 *     adapter_model.safetensors
 *     trainable_parameters.safetensors  every trainable parameter by internal path (exact resume)
 *     optimizer.safetensors           AdamW exp_avg / exp_avg_sq per parameter, metadata "step"
 *     trainer_state.json              position, seeds, recipe, loss history, epoch metrics
 *     run.json                        what the caller needs to rebuild the run (method config, data)
 *   step-6/
 * </pre>
 */
public final class CheckpointLayout {

    /** The folder under a run's output folder. */
    public static final String CHECKPOINTS = "checkpoints";
    /** The pointer file naming the newest complete step folder. */
    public static final String LATEST = "latest";
    /** Every trainable parameter keyed by its internal dotted path. */
    public static final String TRAINABLE_PARAMETERS = "trainable_parameters.safetensors";
    /** The optimizer's moments; its metadata holds the step count. */
    public static final String OPTIMIZER = "optimizer.safetensors";
    /** The {@link dev.peft4j.core.train.TrainerState} as JSON. */
    public static final String TRAINER_STATE = "trainer_state.json";
    /** The caller's description of the run. */
    public static final String RUN = "run.json";
    /** The safetensors metadata key of the optimizer's step count. */
    static final String STEP_METADATA = "step";

    private static final Pattern STEP_FOLDER = Pattern.compile("step-(0|[1-9][0-9]{0,17})");

    private CheckpointLayout() {}

    /**
     * @param step the update count
     * @return {@code step-<step>}
     */
    public static String stepFolderName(long step) {
        return "step-" + step;
    }

    /**
     * @param name a folder name
     * @return the step of a {@code step-N} name, or empty
     */
    static OptionalLong stepOf(String name) {
        Matcher matcher = STEP_FOLDER.matcher(name);
        return matcher.matches() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }

    /**
     * @param runFolder a run's output folder
     * @return its {@code checkpoints} folder
     */
    public static Path checkpointsOf(Path runFolder) {
        return runFolder.resolve(CHECKPOINTS);
    }
}
