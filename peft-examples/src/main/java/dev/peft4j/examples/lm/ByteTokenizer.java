package dev.peft4j.examples.lm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The byte-level tokenizer of the decoder example, our own (no pretrained decoder and so no
 * pretrained tokenizer can be downloaded here): a text's UTF-8 bytes are its tokens, ids 0..255,
 * plus three special tokens, {@link #BOS} 256, {@link #EOS} 257 and {@link #PAD} 258, so the
 * vocabulary has {@value #VOCAB_SIZE} ids. Every text round-trips exactly; there are no unknown tokens.
 * (GPT-2's byte-level BPE starts from the same 256 byte symbols before merging them.)
 */
public final class ByteTokenizer {

    /** Beginning of a document. */
    public static final int BOS = 256;

    /** End of a document; generation stops at it. */
    public static final int EOS = 257;

    /** Padding; never a target (its label is -100). */
    public static final int PAD = 258;

    /** Byte ids 0..255 and the three special ids. */
    public static final int VOCAB_SIZE = 259;

    private ByteTokenizer() {
    }

    /**
     * @param text any text
     * @return its UTF-8 bytes as ids 0..255, no special tokens
     */
    public static int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }

    /**
     * @param text a document
     * @return {@link #BOS}, its bytes, {@link #EOS}
     */
    public static int[] encodeDocument(String text) {
        int[] bytes = encode(text);
        int[] ids = new int[bytes.length + 2];
        ids[0] = BOS;
        System.arraycopy(bytes, 0, ids, 1, bytes.length);
        ids[ids.length - 1] = EOS;
        return ids;
    }

    /**
     * Decodes byte ids back to text; special ids are skipped, and bytes that are not valid UTF-8
     * (a generated sequence may cut a character) become U+FFFD, as {@link String#String(byte[], java.nio.charset.Charset)}.
     *
     * @param ids token ids
     * @return the text
     * @throws IllegalArgumentException for an id outside {@code [0, 259)}: {@code token id 300 is outside [0, 259)}
     */
    public static String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= VOCAB_SIZE) {
                throw new IllegalArgumentException("token id " + id + " is outside [0, " + VOCAB_SIZE + ")");
            }
            if (id < 256) {
                bytes.write(id);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
