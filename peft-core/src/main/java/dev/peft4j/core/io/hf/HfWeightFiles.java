package dev.peft4j.core.io.hf;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsEntry;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 * non-float tensors (integer buffers) are skipped and listed.
 */
public final class HfWeightFiles {

    /** The single-file weights name. */
    public static final String MODEL_SAFETENSORS = "model.safetensors";

    private HfWeightFiles() {}

    /**
     * Reads every floating-point tensor of a model directory as fp32.
     *
     * @param dir an HF model directory
     * @return the tensors under their names in the files
     * @throws FileNotFoundException {@code HF model directory <dir> has neither model.safetensors nor
     *     model.safetensors.index.json} (plus a hint when {@code pytorch_model.bin} is there), or
     *     {@code shard 'model-00002-of-00002.safetensors' named by model.safetensors.index.json in <dir>
     *     does not exist (it should hold 'model.layers.1.mlp.up_proj.weight' and 4 more)}
     * @throws ModelFormatException for a malformed index ({@link HfShardIndex#read}), a tensor the
     *     index places in a shard that lacks it ({@code tensor 'k' is missing from shard 'f' in <dir>,
     *     where model.safetensors.index.json places it}), or a shard tensor the index does not place
     *     there ({@code shard 'f' in <dir> holds tensor 'k', which model.safetensors.index.json places
     *     in shard 'g'} / {@code ... does not list})
     * @throws dev.peft4j.core.io.safetensors.SafetensorsFormatException if a file breaks the safetensors format
     * @throws IOException if reading fails
     */
    public static HfWeights read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new FileNotFoundException("model directory not found: " + dir);
        }
        if (Files.isRegularFile(dir.resolve(MODEL_SAFETENSORS))) {
            return readFiles(dir, List.of(MODEL_SAFETENSORS));
        }
        Path indexFile = dir.resolve(HfShardIndex.INDEX_JSON);
        if (!Files.isRegularFile(indexFile)) {
            String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                    ? " (found pytorch_model.bin, which peft4j does not read: convert it to safetensors)" : "";
            throw new FileNotFoundException("HF model directory " + dir + " has neither " + MODEL_SAFETENSORS
                    + " nor " + HfShardIndex.INDEX_JSON + hint);
        }
        HfShardIndex index = HfShardIndex.read(indexFile);
        checkShards(dir, index);
        return readFiles(dir, index.shards());
    }

    /** Every shard exists, the index and the shard headers agree tensor for tensor. */
    private static void checkShards(Path dir, HfShardIndex index) throws IOException {
        for (String shard : index.shards()) {
            if (!Files.isRegularFile(dir.resolve(shard))) {
                List<String> expected = index.tensorsIn(shard);
                throw new FileNotFoundException("shard '" + shard + "' named by " + HfShardIndex.INDEX_JSON + " in " + dir
                        + " does not exist (it should hold '" + expected.getFirst() + "'"
                        + (expected.size() > 1 ? " and " + (expected.size() - 1) + " more" : "") + ")");
            }
        }
        for (String shard : index.shards()) {
            Set<String> present = new HashSet<>();
            for (SafetensorsEntry entry : SafetensorsReader.readHeader(dir.resolve(shard)).entries()) {
                present.add(entry.name());
                String placed = index.weightMap().get(entry.name());
                if (!shard.equals(placed)) {
                    throw new ModelFormatException("shard '" + shard + "' in " + dir + " holds tensor '" + entry.name()
                            + "', which " + HfShardIndex.INDEX_JSON
                            + (placed == null ? " does not list" : " places in shard '" + placed + "'"));
                }
            }
            for (String name : index.tensorsIn(shard)) {
                if (!present.contains(name)) {
                    throw new ModelFormatException("tensor '" + name + "' is missing from shard '" + shard + "' in " + dir
                            + ", where " + HfShardIndex.INDEX_JSON + " places it");
                }
            }
        }
    }

    private static HfWeights readFiles(Path dir, List<String> files) throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (String fileName : files) {
            Path file = dir.resolve(fileName);
            for (SafetensorsEntry entry : SafetensorsReader.readHeader(file).entries()) {
                if (!entry.dtype().isReadableAsFloat()) {
                    skipped.add(entry.name());
                }
            }
            for (Map.Entry<String, HostTensor> tensor
                    : SafetensorsReader.read(file, entry -> entry.dtype().isReadableAsFloat()).tensors().entrySet()) {
                tensors.put(tensor.getKey(), tensor.getValue());
                sources.put(tensor.getKey(), fileName);
            }
        }
        return new HfWeights(tensors, sources, skipped);
    }
}
