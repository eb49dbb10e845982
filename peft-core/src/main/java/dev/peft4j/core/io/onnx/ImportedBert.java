package dev.peft4j.core.io.onnx;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.BertConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT-family encoder imported from an ONNX file.
 *
 * @param config the hyper-parameters derived from the file (dropout probabilities and
 *     {@code pad_token_id}, which an inference graph does not record, are HF's defaults 0.1, 0.1, 0)
 * @param weights fp32 tensors keyed by HF {@code BertModel} state-dict names, linear weights
 *     {@code (out, in)}, in HF order (embeddings, then layer by layer), followed by any further
 *     named FLOAT initializers of the file (e.g. {@code pooler.dense.*}); unmodifiable
 * @param skippedInitializers initializers not imported, in file order: non-FLOAT ones (such as
 *     MiniLM's INT64 buffer {@code embeddings.position_ids}) and unnamed ones no linear layer claims
 */
public record ImportedBert(BertConfig config, Map<String, HostTensor> weights, List<String> skippedInitializers) {

    /** Copies the collections, keeping the weight order. */
    public ImportedBert {
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        skippedInitializers = List.copyOf(skippedInitializers);
    }
}
