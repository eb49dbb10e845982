package dev.peft4j.examples.compare;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.safetensors.SafetensorsFile;
import dev.peft4j.core.io.safetensors.SafetensorsReader;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base model's probe embeddings on disk: one safetensors file per {@link Key}, holding the
 * tensor {@code embeddings} {@code (sentences, hidden)} F32 and, as {@code __metadata__}, every
 * field of the key plus {@code embeddings_sha256} (SHA-256 of the tensor's little-endian bytes).
 * Files are written atomically ({@link SafetensorsWriter}: temporary file, fsync, rename), so a
 * crash leaves the old file or the new one.
 *
 * <p>A file that cannot be parsed, whose metadata differs from the key, whose tensor has another
 * shape or whose checksum does not match is never used: {@link #load} logs a warning naming the
 * file and the reason and reports it as {@link Lookup#invalid}, and the caller recomputes and
 * {@link #store}s over it.
 */
final class BaseEmbeddingCache {

    private static final Logger LOG = LoggerFactory.getLogger(BaseEmbeddingCache.class);
    static final String TENSOR = "embeddings";
    static final String CHECKSUM = "embeddings_sha256";
    /** Bumped when what is cached changes meaning. */
    static final String FORMAT = "peft4j-forgetting-base-v1";

    /**
     * What the cached embeddings depend on.
     *
     * @param modelName the model's name, for people reading the file (not trusted: the weights digest is)
     * @param weightsDigest SHA-256 of the encoder's weights
     * @param sentencesDigest SHA-256 of the probe sentences
     * @param tokensDigest SHA-256 of their token ids (fixes the tokenizer and truncation)
     * @param sentences how many
     * @param maxLength the truncation length in tokens
     * @param batchSize sentences per forward pass
     * @param hidden the embedding width
     */
    record Key(String modelName, String weightsDigest, String sentencesDigest, String tokensDigest, int sentences,
            int maxLength, int batchSize, int hidden) {

        Map<String, String> toMetadata() {
            Map<String, String> out = new LinkedHashMap<>();
            out.put("format", FORMAT);
            out.put("model", modelName);
            out.put("weights_sha256", weightsDigest);
            out.put("sentences_sha256", sentencesDigest);
            out.put("tokens_sha256", tokensDigest);
            out.put("sentences", Integer.toString(sentences));
            out.put("max_length", Integer.toString(maxLength));
            out.put("batch_size", Integer.toString(batchSize));
            out.put("hidden", Integer.toString(hidden));
            return out;
        }

        /** @return the file name: {@code base-<first 24 hex digits of SHA-256 of the metadata>.safetensors} */
        String fileName() {
            String digest = Digests.ofSentences(toMetadata().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
            return "base-" + digest.substring(0, 24) + ".safetensors";
        }
    }

    /**
     * The outcome of a look-up.
     *
     * @param embeddings the cached rows, empty unless {@link #hit}
     * @param invalidReason why a file present was not used, {@code null} otherwise
     */
    record Lookup(Optional<HostTensor> embeddings, String invalidReason) {
        boolean hit() {
            return embeddings.isPresent();
        }

        boolean invalid() {
            return invalidReason != null;
        }
    }

    private final Path dir;

    BaseEmbeddingCache(Path dir) {
        this.dir = dir;
    }

    Path file(Key key) {
        return dir.resolve(key.fileName());
    }

    /**
     * @param key what the embeddings must match
     * @return the embeddings, or why there are none usable (a missing file is not invalid)
     */
    Lookup load(Key key) {
        Path file = file(key);
        if (!Files.exists(file)) {
            return new Lookup(Optional.empty(), null);
        }
        String reason;
        try {
            SafetensorsFile content = SafetensorsReader.read(file);
            reason = check(key, content);
            if (reason == null) {
                return new Lookup(Optional.of(content.tensors().get(TENSOR)), null);
            }
        } catch (IOException | RuntimeException e) {
            reason = "unreadable (" + e.getMessage() + ")";
        }
        LOG.warn("ignoring the cached base embeddings {}: {}; recomputing them", file, reason);
        return new Lookup(Optional.empty(), reason);
    }

    private static String check(Key key, SafetensorsFile content) {
        Map<String, String> expected = key.toMetadata();
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            String found = content.metadata().get(entry.getKey());
            if (!entry.getValue().equals(found)) {
                return "metadata " + entry.getKey() + " is " + found + ", expected " + entry.getValue();
            }
        }
        HostTensor tensor = content.tensors().get(TENSOR);
        if (tensor == null) {
            return "no tensor '" + TENSOR + "'";
        }
        long[] shape = {key.sentences(), key.hidden()};
        if (!Arrays.equals(tensor.shape(), shape)) {
            return "tensor shape " + Arrays.toString(tensor.shape()) + ", expected " + Arrays.toString(shape);
        }
        String checksum = Digests.ofFloats(tensor.values());
        if (!checksum.equals(content.metadata().get(CHECKSUM))) {
            return "checksum " + checksum + " differs from the recorded " + content.metadata().get(CHECKSUM);
        }
        return null;
    }

    /**
     * Writes the embeddings atomically, creating the folder when needed.
     *
     * @param key what they were computed from
     * @param embeddings {@code (sentences, hidden)}
     * @return the file written
     * @throws IOException if writing fails
     */
    Path store(Key key, HostTensor embeddings) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> metadata = new LinkedHashMap<>(key.toMetadata());
        metadata.put(CHECKSUM, Digests.ofFloats(embeddings.values()));
        Path file = file(key);
        SafetensorsWriter.write(file, Map.of(TENSOR, embeddings), metadata);
        return file;
    }
}
