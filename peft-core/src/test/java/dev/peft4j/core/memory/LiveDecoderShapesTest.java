package dev.peft4j.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.model.Gpt2Config;
import dev.peft4j.core.model.LlamaConfig;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.spi.ModelShape;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

/** {@link LiveModelShapes} of live decoders equals {@link HfModelShapes} of their config.json (up to order). */
class LiveDecoderShapesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void aLiveTiedGqaLlamaHasTheShapeItsConfigJsonDescribes() throws Exception {
        String json = "{\"model_type\":\"llama\",\"vocab_size\":40,\"hidden_size\":16,\"intermediate_size\":24,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"tie_word_embeddings\":true}";
        try (NDManager manager = NDManager.newBaseManager();
                TransformerModel model = TransformerModel.llama(MAPPER.readValue(json, LlamaConfig.class), manager)) {
            ModelShape live = LiveModelShapes.of(model);
            assertThat(sorted(live)).isEqualTo(sorted(HfModelShapes.parse(json)));
            assertThat(live.parameterCount()).isEqualTo(Parameters.count(model.root(), false));
            assertThat(live.linear("lm_head")).isEqualTo(new ModelShape.Linear("lm_head", 16, 40, false));
        }
    }

    @Test
    void aLiveGpt2HasTheShapeItsConfigJsonDescribes() throws Exception {
        String json = "{\"model_type\":\"gpt2\",\"vocab_size\":40,\"n_embd\":16,\"n_layer\":2,\"n_head\":4,\"n_positions\":32}";
        try (NDManager manager = NDManager.newBaseManager();
                TransformerModel model = TransformerModel.gpt2(MAPPER.readValue(json, Gpt2Config.class), manager)) {
            ModelShape live = LiveModelShapes.of(model);
            assertThat(sorted(live)).isEqualTo(sorted(HfModelShapes.parse(json)));
            assertThat(live.linear("transformer.h.1.attn.c_attn")).isEqualTo(new ModelShape.Linear("transformer.h.1.attn.c_attn", 16, 48, true));
        }
    }

    /** The same shape with its tensors and linears sorted by name. */
    private static ModelShape sorted(ModelShape s) {
        return new ModelShape(s.family(), s.hiddenSize(), s.numLayers(), s.numAttentionHeads(), s.numKeyValueHeads(), s.headDim(),
                s.intermediateSize(), s.vocabSize(), s.maxPositionEmbeddings(), s.tieWordEmbeddings(), s.hiddenDropout(),
                s.attentionDropout(), s.defaultTargetModules(),
                s.parameters().stream().sorted(Comparator.comparing(ModelShape.Tensor::name)).toList(),
                s.linears().stream().sorted(Comparator.comparing(ModelShape.Linear::path)).toList(), s.savedHeads());
    }
}
