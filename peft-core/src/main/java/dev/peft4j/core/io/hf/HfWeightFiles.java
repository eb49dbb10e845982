package dev.peft4j.core.io.hf;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the weights of an HF transformers model directory, in the file layouts
 * {@code save_pretrained} writes and {@code from_pretrained} reads:
 *
 * <ul>
 *   <li>one file, {@code model.safetensors};
 *   <li>a sharded checkpoint: {@code model.safetensors.index.json} ({@link HfShardIndex}) whose
 *       {@code weight_map} places every tensor in one shard file of the same directory.
 * </ul>
 *
 * <p>As in HF transformers, {@code model.safetensors} is used when present, else the index. A
 * sharded checkpoint is checked as a whole before any tensor data is read: every shard the index
 * names exists, every tensor the index places in a shard is in that shard's header, and every tensor
 * of a shard is listed by the index under that shard (so no tensor appears twice). F16 and BF16
 * tensors are widened to fp32 in Java (DJL crashes the JVM on BF16 and must never see it);
 * non-float tensors (integer buffers) are skipped and listed. To read tensors one at a time (large
 * checkpoints), use {@link HfCheckpointFiles}.
 */
public final class HfWeightFiles {

    /** The single-file weights name. */
    public static final String MODEL_SAFETENSORS = "model.safetensors";

    private HfWeightFiles() {}

    /**
     * Reads every floating-point tensor of a model directory as fp32, all at once.
     *
     * @param dir an HF model directory
     * @return the tensors under their names in the files
     * @throws FileNotFoundException as {@link HfCheckpointFiles#open}
     * @throws ModelFormatException as {@link HfCheckpointFiles#open}
     * @throws dev.peft4j.core.io.safetensors.SafetensorsFormatException if a file breaks the safetensors format
     * @throws IOException if reading fails
     */
    public static HfWeights read(Path dir) throws IOException {
        try (HfCheckpointFiles files = HfCheckpointFiles.open(dir)) {
            List<String> skipped = files.nonFloatTensors();
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            Map<String, String> sources = new LinkedHashMap<>();
            for (String name : files.entries().keySet()) {
                if (!skipped.contains(name)) {
                    tensors.put(name, files.readFloat(name));
                    sources.put(name, files.sourceFiles().get(name));
                }
            }
            return new HfWeights(tensors, sources, skipped);
        }
    }
}
