package dev.peft4j.examples.compare;

import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The size on disk of a full fp32 checkpoint of a model, what full fine-tuning has to store per
 * task: every parameter of the model (encoder and head) written as F32 safetensors under its
 * module path with {@code {"format": "pt"}} metadata. Measured, not estimated: the checkpoint is
 * written once to a temporary file beside the method's outputs, {@link Files#size} read, and the
 * file deleted (the header, with its padding to 8 bytes, is the only part that is not
 * {@code 4 bytes x parameters}).
 */
final class FullCheckpointSize {

    private FullCheckpointSize() {}

    /**
     * @param model the model before any method is applied
     * @param folder a folder to write the temporary file into
     * @return the checkpoint's size in bytes
     * @throws IOException if it cannot be written
     */
    static long of(TransformerModel model, Path folder) throws IOException {
        Path file = Files.createTempFile(folder, ".full-model-", ".safetensors");
        try {
            SafetensorsWriter.write(file, Parameters.stateDict(model.root()), Map.of("format", "pt"));
            return Files.size(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
