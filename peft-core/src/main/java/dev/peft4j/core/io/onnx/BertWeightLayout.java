package dev.peft4j.core.io.onnx;

import dev.peft4j.core.model.BertConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state-dict keys and shapes of HF {@code BertModel} without pooler, in HF's order: 5
 * embedding tensors, then 16 per layer. Linear weights are {@code (out, in)}.
 */
final class BertWeightLayout {

    static final String WORD_EMBEDDINGS = "embeddings.word_embeddings.weight";
    static final String POSITION_EMBEDDINGS = "embeddings.position_embeddings.weight";
    static final String TOKEN_TYPE_EMBEDDINGS = "embeddings.token_type_embeddings.weight";
    static final String EMBEDDINGS_LAYER_NORM = "embeddings.LayerNorm";

    /** Linear modules of one layer, relative to {@code encoder.layer.N.}, in HF order. */
    static final List<String> LINEARS = List.of(
            "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
            "intermediate.dense", "output.dense");

    /** LayerNorm modules of one layer, relative to {@code encoder.layer.N.}. */
    static final List<String> LAYER_NORMS = List.of("attention.output.LayerNorm", "output.LayerNorm");

    private BertWeightLayout() {}

    /** @return {@code encoder.layer.N.} */
    static String layerPrefix(int layer) {
        return "encoder.layer." + layer + ".";
    }

    /**
     * @param config the model's hyper-parameters
     * @return every key with its expected shape, in HF state-dict order
     */
    static Map<String, long[]> expectedShapes(BertConfig config) {
        long hidden = config.hiddenSize();
        long intermediate = config.intermediateSize();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(WORD_EMBEDDINGS, new long[] {config.vocabSize(), hidden});
        shapes.put(POSITION_EMBEDDINGS, new long[] {config.maxPositionEmbeddings(), hidden});
        shapes.put(TOKEN_TYPE_EMBEDDINGS, new long[] {config.typeVocabSize(), hidden});
        shapes.put(EMBEDDINGS_LAYER_NORM + ".weight", new long[] {hidden});
        shapes.put(EMBEDDINGS_LAYER_NORM + ".bias", new long[] {hidden});
        for (int layer = 0; layer < config.numHiddenLayers(); layer++) {
            String prefix = layerPrefix(layer);
            for (String attention : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense")) {
                linear(shapes, prefix + attention, hidden, hidden);
            }
            norm(shapes, prefix + "attention.output.LayerNorm", hidden);
            linear(shapes, prefix + "intermediate.dense", intermediate, hidden);
            linear(shapes, prefix + "output.dense", hidden, intermediate);
            norm(shapes, prefix + "output.LayerNorm", hidden);
        }
        return shapes;
    }

    private static void linear(Map<String, long[]> shapes, String module, long out, long in) {
        shapes.put(module + ".weight", new long[] {out, in});
        shapes.put(module + ".bias", new long[] {out});
    }

    private static void norm(Map<String, long[]> shapes, String module, long hidden) {
        shapes.put(module + ".weight", new long[] {hidden});
        shapes.put(module + ".bias", new long[] {hidden});
    }
}
