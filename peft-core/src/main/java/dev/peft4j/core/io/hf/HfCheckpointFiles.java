package dev.peft4j.core.io.hf;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsEntry;
import dev.peft4j.core.io.safetensors.SafetensorsFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsMappedFile;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import dev.peft4j.core.io.safetensors.SafetensorsTensor;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The weight files of an HF model directory, mapped and checked, their tensors read one at a time:
 * a checkpoint larger than the heap loads into a model while holding one tensor in Java at a time
 * (see {@link HfWeightFiles} for the layouts and checks).
 *
 * <p>Opening reads only headers: the names, dtypes and shapes of every tensor are known before any
 * data is touched, so a checkpoint that does not fit a model is refused without reading it. Close
 * it to unmap the files.
 */
public final class HfCheckpointFiles implements AutoCloseable {

    private final Path dir;
    private final Map<String, SafetensorsMappedFile> files;
    private final Map<String, SafetensorsEntry> entries;
    private final Map<String, String> sourceFiles;

    private HfCheckpointFiles(Path dir, Map<String, SafetensorsMappedFile> files) {
        this.dir = dir;
        this.files = files;
        this.entries = new LinkedHashMap<>();
        this.sourceFiles = new LinkedHashMap<>();
        files.forEach((fileName, file) -> {
            for (SafetensorsEntry entry : file.entries()) {
                entries.put(entry.name(), entry);
                sourceFiles.put(entry.name(), fileName);
            }
        });
    }

    /**
     * Maps the weights of a model directory: {@code model.safetensors} if present, else every shard
     * of {@code model.safetensors.index.json}, after checking index and shards agree.
     *
     * @param dir an HF model directory
     * @return the mapped files; close them
     * @throws FileNotFoundException {@code model directory not found: <dir>}; no weights
     *     ({@code HF model directory <dir> has neither model.safetensors nor model.safetensors.index.json});
     *     a missing shard ({@code shard 'f' named by model.safetensors.index.json in <dir> does not
     *     exist (it should hold 'k' and 4 more)})
     * @throws ModelFormatException for a malformed index ({@link HfShardIndex#read}), a tensor missing
     *     from the shard the index names ({@code tensor 'k' is missing from shard 'f' in <dir>, where
     *     model.safetensors.index.json places it}) or a shard tensor the index places elsewhere or not
     *     at all ({@code shard 'f' in <dir> holds tensor 'k', which model.safetensors.index.json places
     *     in shard 'g'} / {@code ... does not list})
     * @throws SafetensorsFormatException if a file breaks the safetensors format
     * @throws IOException if reading fails
     */
    public static HfCheckpointFiles open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new FileNotFoundException("model directory not found: " + dir);
        }
        HfShardIndex index = Files.isRegularFile(dir.resolve(HfWeightFiles.MODEL_SAFETENSORS)) ? null : readIndex(dir);
        List<String> names = index == null ? List.of(HfWeightFiles.MODEL_SAFETENSORS) : index.shards();
        Map<String, SafetensorsMappedFile> mapped = new LinkedHashMap<>();
        try {
            for (String name : names) {
                mapped.put(name, SafetensorsReader.open(dir.resolve(name)));
            }
            if (index != null) {
                checkShards(dir, index, mapped);
            }
            return new HfCheckpointFiles(dir, mapped);
        } catch (IOException | RuntimeException e) {
            mapped.values().forEach(SafetensorsMappedFile::close);
            throw e;
        }
    }

    /** The index of a directory without {@code model.safetensors}, its shards checked to exist. */
    private static HfShardIndex readIndex(Path dir) throws IOException {
        Path indexFile = dir.resolve(HfShardIndex.INDEX_JSON);
        if (!Files.isRegularFile(indexFile)) {
            String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                    ? " (found pytorch_model.bin, which peft4j does not read: convert it to safetensors)" : "";
            throw new FileNotFoundException("HF model directory " + dir + " has neither " + HfWeightFiles.MODEL_SAFETENSORS
                    + " nor " + HfShardIndex.INDEX_JSON + hint);
        }
        HfShardIndex index = HfShardIndex.read(indexFile);
        for (String shard : index.shards()) {
            if (!Files.isRegularFile(dir.resolve(shard))) {
                List<String> expected = index.tensorsIn(shard);
                throw new FileNotFoundException("shard '" + shard + "' named by " + HfShardIndex.INDEX_JSON + " in " + dir
                        + " does not exist (it should hold '" + expected.getFirst() + "'"
                        + (expected.size() > 1 ? " and " + (expected.size() - 1) + " more" : "") + ")");
            }
        }
        return index;
    }

    /** The index and the shard headers agree tensor for tensor. */
    private static void checkShards(Path dir, HfShardIndex index, Map<String, SafetensorsMappedFile> shards)
            throws ModelFormatException {
        for (Map.Entry<String, SafetensorsMappedFile> shard : shards.entrySet()) {
            String name = shard.getKey();
            Set<String> present = new HashSet<>();
            for (SafetensorsEntry entry : shard.getValue().entries()) {
                present.add(entry.name());
                String placed = index.weightMap().get(entry.name());
                if (!name.equals(placed)) {
                    throw new ModelFormatException("shard '" + name + "' in " + dir + " holds tensor '" + entry.name()
                            + "', which " + HfShardIndex.INDEX_JSON
                            + (placed == null ? " does not list" : " places in shard '" + placed + "'"));
                }
            }
            for (String tensor : index.tensorsIn(name)) {
                if (!present.contains(tensor)) {
                    throw new ModelFormatException("tensor '" + tensor + "' is missing from shard '" + name + "' in " + dir
                            + ", where " + HfShardIndex.INDEX_JSON + " places it");
                }
            }
        }
    }

    /** @return the model directory */
    public Path dir() {
        return dir;
    }

    /** @return every tensor's header line by name, in file order (shard by shard); unmodifiable */
    public Map<String, SafetensorsEntry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    /** @return tensor name to the file name holding it; unmodifiable */
    public Map<String, String> sourceFiles() {
        return Collections.unmodifiableMap(sourceFiles);
    }

    /** @return the names of tensors whose dtype is not F32, F16 or BF16 (integer buffers), in file order */
    public List<String> nonFloatTensors() {
        List<String> out = new ArrayList<>();
        entries.values().forEach(entry -> {
            if (!entry.dtype().isReadableAsFloat()) {
                out.add(entry.name());
            }
        });
        return out;
    }

    /**
     * Copies one tensor into the heap as fp32 (F16 and BF16 widened exactly in Java).
     *
     * @param name a tensor name
     * @return the tensor
     * @throws NoSuchElementException {@code no tensor 'x' in HF model directory <dir>}
     * @throws SafetensorsFormatException {@code tensor 'x' in <file> has dtype I64, which cannot be read
     *     as fp32; readable: [BF16, F16, F32]}, or more elements than a Java array holds
     * @throws IllegalStateException if this is closed
     */
    public HostTensor readFloat(String name) throws SafetensorsFormatException {
        String fileName = sourceFiles.get(name);
        if (fileName == null) {
            throw new NoSuchElementException("no tensor '" + name + "' in HF model directory " + dir);
        }
        SafetensorsMappedFile file = files.get(fileName);
        SafetensorsTensor tensor = file.tensor(name);
        if (!tensor.dtype().isReadableAsFloat()) {
            throw new SafetensorsFormatException("tensor '" + name + "' in " + file.file() + " has dtype " + tensor.dtype()
                    + ", which cannot be read as fp32; readable: [BF16, F16, F32]");
        }
        if (tensor.elementCount() > SafetensorsTensor.MAX_ARRAY_LENGTH) {
            throw new SafetensorsFormatException("tensor '" + name + "' in " + file.file() + " has " + tensor.elementCount()
                    + " elements, more than a Java array holds");
        }
        return tensor.toHostTensor();
    }

    /** Unmaps every file. Idempotent. */
    @Override
    public void close() {
        files.values().forEach(SafetensorsMappedFile::close);
    }
}
