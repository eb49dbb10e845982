package dev.peft4j.examples.lm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.examples.data.TextDocument;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The cache key of a pre-trained base: SHA-256 (hex) over a format version, the
 * {@link PretrainRecipe} as canonical JSON (keys sorted, snake_case) and the SHA-256 of the data
 * (every training and held-out document's id and text, in order, each length-prefixed). Changing
 * any hyper-parameter, a byte of the corpus or the split gives another key, so a cached base is
 * never used for a recipe it was not trained with.
 */
public final class BaseModelKey {

    /** Bumped when the training code changes what a recipe produces. */
    static final String FORMAT = "peft4j-decoder-base/1";

    private BaseModelKey() {}

    /**
     * @param recipe the pre-training recipe
     * @param mapper a mapper sorting properties (the runtime's)
     * @param train the training documents
     * @param heldOut the held-out documents
     * @return the key, 64 hex digits
     */
    public static String of(PretrainRecipe recipe, ObjectMapper mapper, List<TextDocument> train, List<TextDocument> heldOut) {
        MessageDigest digest = sha256();
        digest.update((FORMAT + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            digest.update(mapper.writeValueAsBytes(recipe));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the recipe as JSON: " + e.getOriginalMessage(), e);
        }
        digest.update(("\n" + dataDigest(train, heldOut)).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * @param train the training documents
     * @param heldOut the held-out documents
     * @return SHA-256 (hex) over both lists' ids and texts, in order
     */
    public static String dataDigest(List<TextDocument> train, List<TextDocument> heldOut) {
        MessageDigest digest = sha256();
        for (List<TextDocument> part : List.of(train, heldOut)) {
            update(digest, Integer.toString(part.size()));
            for (TextDocument document : part) {
                update(digest, document.id());
                update(digest, document.text());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void update(MessageDigest digest, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).flip());
        digest.update(utf8);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
