package dev.peft4j.examples.compare;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TransformerModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** SHA-256 fingerprints that key the forgetting probe's cache. */
final class Digests {

    private Digests() {}

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /**
     * @param sentences the texts
     * @return SHA-256 (hex) of the texts, each as its UTF-8 length and bytes, in order
     */
    static String ofSentences(List<String> sentences) {
        MessageDigest digest = sha256();
        for (String sentence : sentences) {
            byte[] utf8 = sentence.getBytes(StandardCharsets.UTF_8);
            digest.update(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).flip());
            digest.update(utf8);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The identity of an encoder's weights: SHA-256 (hex) over every encoder parameter in name
     * order (its name, shape and fp32 values). The classification head is excluded (sentence
     * embeddings do not depend on it, and a fresh head is drawn per run).
     *
     * @param model a model before any method is applied
     * @return the digest
     */
    static String ofEncoderWeights(TransformerModel model) {
        MessageDigest digest = sha256();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Parameter> sorted = new TreeMap<>(Parameters.byName(model.root()));
        sorted.forEach((name, parameter) -> {
            if (!name.startsWith(model.encoderPrefix())) {
                return;
            }
            NDArray array = parameter.getArray();
            digest.update(name.getBytes(StandardCharsets.UTF_8));
            digest.update(array.getShape().toString().getBytes(StandardCharsets.UTF_8));
            update(digest, array.toFloatArray(), chunk);
        });
        return HexFormat.of().formatHex(digest.digest());
    }

    private static final int CHUNK_FLOATS = 1 << 18;

    /** Feeds little-endian fp32 bytes through a reusable 1 MiB buffer (no copy of the whole array). */
    private static void update(MessageDigest digest, float[] values, ByteBuffer chunk) {
        for (int start = 0; start < values.length; start += CHUNK_FLOATS) {
            int count = Math.min(CHUNK_FLOATS, values.length - start);
            chunk.clear();
            chunk.asFloatBuffer().put(values, start, count);
            chunk.limit(count * Float.BYTES);
            digest.update(chunk);
        }
    }

    /**
     * @param values fp32 values
     * @return SHA-256 (hex) of their little-endian bytes
     */
    static String ofFloats(float[] values) {
        MessageDigest digest = sha256();
        update(digest, values, ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN));
        return HexFormat.of().formatHex(digest.digest());
    }
}
