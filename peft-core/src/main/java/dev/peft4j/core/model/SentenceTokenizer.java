package dev.peft4j.core.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.peft4j.core.spi.TextEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A HuggingFace {@code tokenizer.json} tokenizer (WordPiece for BERT) through DJL, padding each
 * batch to its longest sentence and truncating at a chosen length. Both override what the file
 * fixes (MiniLM's bundled file pads and truncates at 128, which would make every batch cost 128
 * tokens).
 */
public final class SentenceTokenizer implements TextEncoder, AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;

    private SentenceTokenizer(HuggingFaceTokenizer tokenizer, int maxLength) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
    }

    /**
     * @param tokenizerJson a HuggingFace {@code tokenizer.json}
     * @param maxLength the longest encoding in tokens, special tokens included
     * @return the tokenizer
     * @throws IllegalArgumentException if the file is missing or {@code maxLength < 2}
     * @throws UncheckedIOException if the file cannot be read
     */
    public static SentenceTokenizer load(Path tokenizerJson, int maxLength) {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new IllegalArgumentException("tokenizer file not found: " + tokenizerJson);
        }
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return load(in, maxLength);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param tokenizerJson the content of a HuggingFace {@code tokenizer.json}
     * @param maxLength the longest encoding in tokens, special tokens included
     * @return the tokenizer
     * @throws IOException if the stream cannot be read
     * @throws IllegalArgumentException if {@code maxLength < 2}
     */
    public static SentenceTokenizer load(InputStream tokenizerJson, int maxLength) throws IOException {
        if (maxLength < 2) {
            throw new IllegalArgumentException("max_length must be >= 2 (room for [CLS] and [SEP]), got " + maxLength);
        }
        Map<String, String> options = Map.of(
                "padding", "true",
                "truncation", "true",
                "maxLength", Integer.toString(maxLength),
                "modelMaxLength", Integer.toString(maxLength));
        return new SentenceTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, options), maxLength);
    }

    /** @return the truncation length in tokens */
    public int maxLength() {
        return maxLength;
    }

    /**
     * Tokenizes sentences with special tokens, padded to the longest in the batch.
     *
     * @param sentences one or more sentences
     * @return the padded batch
     * @throws IllegalArgumentException if {@code sentences} is empty
     */
    public TokenBatch encode(List<String> sentences) {
        if (sentences.isEmpty()) {
            throw new IllegalArgumentException("cannot tokenize an empty batch");
        }
        Encoding[] encodings = tokenizer.batchEncode(sentences);
        long[][] ids = new long[encodings.length][];
        long[][] mask = new long[encodings.length][];
        long[][] types = new long[encodings.length][];
        for (int i = 0; i < encodings.length; i++) {
            ids[i] = encodings[i].getIds();
            mask[i] = encodings[i].getAttentionMask();
            types[i] = encodings[i].getTypeIds();
        }
        return new TokenBatch(ids, mask, types);
    }

    /**
     * One text's token ids with special tokens ({@code [CLS] ... [SEP]}), truncated at
     * {@link #maxLength()}, unpadded: HF's {@code tokenizer(text)["input_ids"]} (which does not
     * truncate unless asked).
     *
     * @param text the text
     * @return the ids
     */
    @Override
    public long[] encode(String text) {
        return tokenizer.encode(text).getIds();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
