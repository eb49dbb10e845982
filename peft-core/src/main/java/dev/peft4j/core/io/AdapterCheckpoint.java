package dev.peft4j.core.io;

import dev.peft4j.core.io.safetensors.SafetensorsFile;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An adapter folder in HF PEFT's layout: {@code adapter_model.safetensors} (tensors keyed by
 * {@link AdapterKeys}) and {@code adapter_config.json}, as written by HF's
 * {@code PeftModel.save_pretrained} and read by {@code PeftModel.from_pretrained}.
 */
public final class AdapterCheckpoint {

    /** HF PEFT's weights file name. */
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    /** HF PEFT's config file name. */
    public static final String CONFIG_FILE = "adapter_config.json";

    /**
     * What an adapter folder holds.
     *
     * @param folder the folder read
     * @param configJson the text of {@code adapter_config.json}
     * @param weights the tensors and {@code __metadata__} of {@code adapter_model.safetensors}
     */
    public record Contents(Path folder, String configJson, SafetensorsFile weights) {}

    private AdapterCheckpoint() {}

    /**
     * Writes both files into an existing (or new) folder, each replaced atomically, the weights
     * first and the config last; other files in the folder stay. Used where the folder holds more
     * than the adapter (a {@code peft train} run folder with {@code results.json}); prefer
     * {@link #write}, which replaces the adapter folder as a whole.
     *
     * @param directory the folder, created if absent
     * @param configJson the adapter config as HF PEFT JSON
     * @param tensors the adapter's tensors keyed by HF checkpoint keys
     * @param metadata the safetensors {@code __metadata__} (e.g. {@code format: pt})
     * @return the size of both files in bytes
     * @throws IOException if writing fails; earlier files are left complete
     */
    public static long save(Path directory, String configJson, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        Files.createDirectories(directory);
        Path weights = directory.resolve(WEIGHTS_FILE);
        Path config = directory.resolve(CONFIG_FILE);
        SafetensorsWriter.write(weights, tensors, metadata);
        AtomicFiles.write(config, configJson.getBytes(StandardCharsets.UTF_8));
        return Files.size(weights) + Files.size(config);
    }

    /**
     * Writes the adapter folder as a whole with {@link AtomicDirectory#write}: after a crash at
     * any point {@link #read} finds either the previous folder or this one, complete. An existing
     * folder is replaced with everything in it.
     *
     * @param directory the adapter folder
     * @param configJson the adapter config as HF PEFT JSON
     * @param tensors the adapter's tensors keyed by HF checkpoint keys
     * @param metadata the safetensors {@code __metadata__} (e.g. {@code format: pt})
     * @return the size of both files in bytes
     * @throws IOException if writing fails; the previous folder then stays
     */
    public static long write(Path directory, String configJson, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        AtomicDirectory.write(directory, staging -> {
            SafetensorsWriter.write(staging.resolve(WEIGHTS_FILE), tensors, metadata);
            Files.write(staging.resolve(CONFIG_FILE), configJson.getBytes(StandardCharsets.UTF_8));
        });
        return Files.size(directory.resolve(WEIGHTS_FILE)) + Files.size(directory.resolve(CONFIG_FILE));
    }

    /**
     * Reads an adapter folder, first finishing or undoing an interrupted {@link #write}
     * ({@link AtomicDirectory#recover}).
     *
     * @param directory the adapter folder
     * @return its config text and tensors (fp32; F16/BF16 widened)
     * @throws FileNotFoundException {@code no adapter checkpoint in DIR: adapter_config.json is missing}
     *     (or {@code adapter_model.safetensors})
     * @throws dev.peft4j.core.io.safetensors.SafetensorsFormatException if the weights file is damaged,
     *     naming the file and the problem
     * @throws IOException if reading fails
     */
    public static Contents read(Path directory) throws IOException {
        AtomicDirectory.recover(directory);
        if (!Files.isDirectory(directory)) {
            throw new FileNotFoundException("no adapter checkpoint at " + directory + ": the folder does not exist");
        }
        Path config = directory.resolve(CONFIG_FILE);
        Path weights = directory.resolve(WEIGHTS_FILE);
        for (Path file : new Path[] {config, weights}) {
            if (!Files.isRegularFile(file)) {
                throw new FileNotFoundException("no adapter checkpoint in " + directory + ": " + file.getFileName() + " is missing");
            }
        }
        String json = Files.readString(config, StandardCharsets.UTF_8);
        return new Contents(directory, json, SafetensorsReader.read(weights));
    }
}
