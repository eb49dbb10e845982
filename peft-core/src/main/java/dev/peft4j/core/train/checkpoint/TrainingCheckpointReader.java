package dev.peft4j.core.train.checkpoint;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.io.AtomicDirectory;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsFile;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import dev.peft4j.core.train.AdamWState;
import dev.peft4j.core.train.TrainerState;
import dev.peft4j.core.train.TrainingSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds and reads a training checkpoint written by {@link TrainingCheckpointWriter}. Every
 * problem is a {@link TrainingCheckpointException} whose message names the path: no checkpoint
 * there, a {@code latest} pointer that names no folder, a missing file, a file that does not parse,
 * or files that disagree with each other.
 */
public final class TrainingCheckpointReader {

    private TrainingCheckpointReader() {}

    /**
     * Reads the checkpoint {@code dir} designates: a run's output folder (its
     * {@code checkpoints/latest}), a {@code checkpoints} folder (its {@code latest}), or one
     * {@code step-N} folder. A step folder that a crash left renamed aside is recovered first.
     *
     * @param dir the folder given by the user ({@code peft train --resume DIR})
     * @return the checkpoint
     * @throws TrainingCheckpointException {@code no training checkpoint in DIR (...)} or
     *     {@code training checkpoint F is damaged: ...}
     * @throws IOException if reading fails otherwise
     */
    public static TrainingCheckpoint load(Path dir) throws IOException {
        Path folder = resolve(dir);
        return new TrainingCheckpoint(folder, snapshot(folder), text(folder, AdapterCheckpoint.CONFIG_FILE),
                runJson(folder));
    }

    private static Path resolve(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(CheckpointLayout.TRAINER_STATE))) {
            return dir;
        }
        Path checkpoints = Files.isDirectory(dir.resolve(CheckpointLayout.CHECKPOINTS)) ? dir.resolve(CheckpointLayout.CHECKPOINTS) : dir;
        Path pointer = checkpoints.resolve(CheckpointLayout.LATEST);
        if (!Files.isRegularFile(pointer)) {
            throw new TrainingCheckpointException("no training checkpoint in " + dir + " (looked for "
                    + dir.resolve(CheckpointLayout.CHECKPOINTS).resolve(CheckpointLayout.LATEST) + ", "
                    + dir.resolve(CheckpointLayout.LATEST) + " and " + dir.resolve(CheckpointLayout.TRAINER_STATE)
                    + "; peft train --save-steps N writes them)");
        }
        String name = Files.readString(pointer, StandardCharsets.UTF_8).strip();
        if (CheckpointLayout.stepOf(name).isEmpty()) {
            throw new TrainingCheckpointException("training checkpoint pointer " + pointer + " is damaged: expected 'step-N', got '"
                    + abbreviate(name) + "'");
        }
        Path folder = checkpoints.resolve(name);
        AtomicDirectory.recover(folder);
        if (!Files.isDirectory(folder)) {
            throw new TrainingCheckpointException("training checkpoint pointer " + pointer + " names " + name
                    + ", which does not exist");
        }
        return folder;
    }

    private static TrainingSnapshot snapshot(Path folder) throws IOException {
        TrainerState state;
        String stateJson = text(folder, CheckpointLayout.TRAINER_STATE);
        try {
            state = CheckpointJson.MAPPER.readValue(stateJson, TrainerState.class);
        } catch (MismatchedInputException e) {
            throw damaged(folder, CheckpointLayout.TRAINER_STATE + ": " + wrongType(stateJson, e), e);
        } catch (JacksonException e) {
            throw damaged(folder, CheckpointLayout.TRAINER_STATE + ": " + firstLine(rootMessage(e)), e);
        }
        Map<String, HostTensor> trainable = tensors(folder, CheckpointLayout.TRAINABLE_PARAMETERS).tensors();
        SafetensorsFile optimizerFile = tensors(folder, CheckpointLayout.OPTIMIZER);
        String step = optimizerFile.metadata().get(CheckpointLayout.STEP_METADATA);
        if (step == null || !step.matches("0|[1-9][0-9]{0,17}")) {
            throw damaged(folder, CheckpointLayout.OPTIMIZER + " has no valid '" + CheckpointLayout.STEP_METADATA
                    + "' metadata, got " + (step == null ? "none" : "'" + abbreviate(step) + "'"), null);
        }
        Map<String, HostTensor> adapter = tensors(folder, AdapterCheckpoint.WEIGHTS_FILE).tensors();
        try {
            return new TrainingSnapshot(state, trainable, new AdamWState(Long.parseLong(step), optimizerFile.tensors()), adapter);
        } catch (IllegalArgumentException e) {
            throw damaged(folder, e.getMessage(), e);
        }
    }

    private static String runJson(Path folder) throws IOException {
        String json = text(folder, CheckpointLayout.RUN);
        try {
            JsonNode node = CheckpointJson.MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw damaged(folder, CheckpointLayout.RUN + " must hold one JSON object", null);
            }
        } catch (JacksonException e) {
            throw damaged(folder, CheckpointLayout.RUN + ": " + firstLine(e.getOriginalMessage()), e);
        }
        return json;
    }

    private static SafetensorsFile tensors(Path folder, String name) throws IOException {
        Path file = requireFile(folder, name);
        try {
            return SafetensorsReader.read(file);
        } catch (ModelFormatException e) {
            throw damaged(folder, e.getMessage(), e);
        }
    }

    private static String text(Path folder, String name) throws IOException {
        return Files.readString(requireFile(folder, name), StandardCharsets.UTF_8);
    }

    private static Path requireFile(Path folder, String name) throws TrainingCheckpointException {
        Path file = folder.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw damaged(folder, "missing " + name, null);
        }
        return file;
    }

    private static TrainingCheckpointException damaged(Path folder, String problem, Throwable cause) {
        return new TrainingCheckpointException("training checkpoint " + folder + " is damaged: " + problem, cause);
    }

    /**
     * {@code field 'global_step' must be a JSON number (long), got the string "6"}, or Jackson's
     * first line when the value cannot be located.
     */
    private static String wrongType(String json, MismatchedInputException e) {
        StringBuilder field = new StringBuilder();
        JsonNode value;
        try {
            value = CheckpointJson.MAPPER.readTree(json);
        } catch (JacksonException unreadable) {
            return firstLine(rootMessage(e));
        }
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                field.append(field.isEmpty() ? "" : ".").append(reference.getFieldName());
                value = value == null ? null : value.get(reference.getFieldName());
            } else {
                field.append('[').append(reference.getIndex()).append(']');
                value = value == null ? null : value.get(reference.getIndex());
            }
        }
        Class<?> target = e.getTargetType();
        if (field.isEmpty() || value == null || target == null || value.isContainerNode()) {
            return firstLine(rootMessage(e));
        }
        return "field '" + field + "' must be " + expected(target) + ", got " + describe(value);
    }

    private static String expected(Class<?> target) {
        if (target == long.class || target == int.class || target == Long.class || target == Integer.class) {
            return "a JSON integer (" + target.getSimpleName() + ")";
        }
        if (target == double.class || target == float.class || target == Double.class || target == Float.class) {
            return "a JSON number (" + target.getSimpleName() + ")";
        }
        if (target == boolean.class || target == Boolean.class) {
            return "a JSON boolean";
        }
        return target == String.class ? "a JSON string" : "a " + target.getSimpleName();
    }

    private static String describe(JsonNode value) {
        String text = abbreviate(value.toString());
        return value.isTextual() ? "the string " + text
                : value.isNumber() ? "the number " + text
                : value.isBoolean() ? "the boolean " + text
                : text;
    }

    private static String rootMessage(JacksonException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException invalid && invalid.getMessage() != null) {
            return invalid.getMessage();
        }
        return e.getOriginalMessage();
    }

    private static String firstLine(String message) {
        return message == null ? "unreadable" : message.lines().findFirst().orElse(message);
    }

    private static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }
}
