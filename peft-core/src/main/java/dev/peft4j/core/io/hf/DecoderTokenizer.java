package dev.peft4j.core.io.hf;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.peft4j.core.io.ModelFormatException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The HF {@code tokenizer.json} of a decoder model directory (byte-level BPE for GPT-2,
 * SentencePiece-style BPE for Llama, or any model the HF tokenizers library reads), through DJL's
 * {@link HuggingFaceTokenizer}, built offline from the file alone.
 *
 * <p>A causal LM sees one text at a time without padding and without truncation, so both are
 * switched off whatever the file says (a {@code tokenizer.json} may fix them; a decoder batch is
 * padded by the caller, which also picks the pad side). {@link #encode(String)} adds the file's
 * special tokens as its {@code post_processor} says (Llama's adds the BOS token {@code <s>},
 * GPT-2's adds nothing), as HF's {@code tokenizer(text)["input_ids"]}; {@link #decode} keeps
 * special tokens, as HF's {@code tokenizer.decode(ids)}.
 */
public final class DecoderTokenizer implements AutoCloseable {

    private static final Map<String, String> OPTIONS = Map.of("padding", "false", "truncation", "false");

    private final HuggingFaceTokenizer tokenizer;

    private DecoderTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * @param tokenizerJson an HF {@code tokenizer.json}
     * @return the tokenizer; close it to free its native memory
     * @throws FileNotFoundException {@code tokenizer file not found: <path>}
     * @throws ModelFormatException {@code invalid tokenizer.json <path>: <the tokenizers library's reason>}
     * @throws IOException if reading fails
     */
    public static DecoderTokenizer load(Path tokenizerJson) throws IOException {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new FileNotFoundException("tokenizer file not found: " + tokenizerJson);
        }
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return new DecoderTokenizer(HuggingFaceTokenizer.newInstance(in, OPTIONS));
        } catch (RuntimeException e) {
            throw new ModelFormatException("invalid tokenizer.json " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param text the text
     * @return its token ids with the file's special tokens, unpadded and untruncated
     */
    public long[] encode(String text) {
        return encode(text, true);
    }

    /**
     * @param text the text
     * @param addSpecialTokens whether to add the special tokens of the file's {@code post_processor}
     * @return its token ids, unpadded and untruncated
     */
    public long[] encode(String text, boolean addSpecialTokens) {
        return tokenizer.encode(text, addSpecialTokens, false).getIds();
    }

    /**
     * @param ids token ids
     * @return the text, special tokens kept (HF's {@code decode(ids)})
     */
    public String decode(long[] ids) {
        return decode(ids, false);
    }

    /**
     * @param ids token ids
     * @param skipSpecialTokens whether to drop special tokens (HF's {@code skip_special_tokens})
     * @return the text
     */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
