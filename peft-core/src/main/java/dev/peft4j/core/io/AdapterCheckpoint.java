package dev.peft4j.core.io;

import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes an adapter in HF PEFT's layout: {@code adapter_model.safetensors} (tensors keyed by
 * {@link AdapterKeys}) and {@code adapter_config.json}. Each file is replaced atomically, the
 * weights first and the config last, so a folder with a config always holds matching weights.
 */
public final class AdapterCheckpoint {

    /** HF PEFT's weights file name. */
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    /** HF PEFT's config file name. */
    public static final String CONFIG_FILE = "adapter_config.json";

    private AdapterCheckpoint() {}

    /**
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
}
