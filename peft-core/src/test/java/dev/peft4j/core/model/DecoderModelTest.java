package dev.peft4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.peft4j.core.io.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link TransformerModel#llama} and {@link TransformerModel#gpt2}: HF paths and keys, weights in and out, gradients, dropout. */
class DecoderModelTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static NDList batch(NDManager scope) {
        return TinyDecoders.inputs(scope, new long[][] {{5, 17, 3, 29}, {0, 8, 2, 33}}, new long[][] {{1, 1, 1, 1}, {0, 1, 1, 1}});
    }

    @Test
    void llamaHasHfModulePathsSizesAndDefaultTargets() {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create("llama", local)) {
            assertThat(model.taskType()).isEqualTo(TaskType.CAUSAL_LM);
            assertThat(model.architecture()).isEqualTo("llama");
            assertThat(model.defaultTargetModules()).containsExactly("q_proj", "v_proj");
            assertThat(model.numAttentionHeads()).isEqualTo(4);
            assertThat(model.numKeyValueHeads()).isEqualTo(2);
            assertThat(model.headDim()).isEqualTo(4);
            assertThat(model.vocabSize()).isEqualTo(40);
            assertThat(model.encoderPrefix()).isEqualTo("model.");
            assertThat(model.module("model.layers.1.self_attn.q_proj")).isInstanceOf(Linear.class);
            assertThat(((Linear) model.module("model.layers.1.self_attn.k_proj")).outFeatures()).isEqualTo(8);
            assertThat(model.module("model.layers.0.mlp.gate_proj")).isInstanceOf(Linear.class);
            assertThat(model.module("lm_head")).isInstanceOf(Linear.class);
            assertThat(model.inputEmbeddings()).isSameAs(model.module("model.embed_tokens"));
            assertThat(Parameters.byName(model.root())).containsKeys("model.embed_tokens.weight",
                    "model.layers.0.input_layernorm.weight", "model.layers.0.self_attn.o_proj.weight",
                    "model.layers.1.post_attention_layernorm.weight", "model.layers.1.mlp.down_proj.weight", "model.norm.weight",
                    "lm_head.weight");
        }
    }

    @Test
    void gpt2HasHfModulePathsSizesAndDefaultTargets() {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create("gpt2", local)) {
            assertThat(model.architecture()).isEqualTo("gpt2");
            assertThat(model.defaultTargetModules()).containsExactly("c_attn");
            assertThat(model.numKeyValueHeads()).isEqualTo(4);
            assertThat(model.encoderPrefix()).isEqualTo("transformer.");
            assertThat(model.module("transformer.h.1.attn.c_attn")).isInstanceOf(Conv1D.class);
            assertThat(model.module("transformer.h.0.mlp.c_fc")).isInstanceOf(Conv1D.class);
            assertThat(model.module("lm_head")).isInstanceOf(TiedLmHead.class);
            assertThat(model.inputEmbeddings()).isSameAs(model.module("transformer.wte"));
            assertThat(Parameters.byName(model.root()).keySet()).contains("transformer.wpe.weight", "transformer.h.0.ln_1.bias",
                    "transformer.h.0.attn.c_proj.weight", "transformer.ln_f.weight").doesNotContain("lm_head.weight");
        }
    }

    @Test
    void weightsRoundTripUnderTheFullHfKeysAndATiedHeadHasNone() {
        for (String kind : new String[] {"llama", "llama-tied", "gpt2"}) {
            try (NDManager local = manager.newSubManager(); TransformerModel source = TinyDecoders.create(kind, local);
                    TransformerModel target = TinyDecoders.create(kind, local)) {
                Map<String, HostTensor> weights = source.encoderWeights();
                assertThat(weights.containsKey("lm_head.weight")).as(kind).isEqualTo(kind.equals("llama"));
                float[] before = target.forward(batch(local), false).head().toFloatArray();
                float[] expected = source.forward(batch(local), false).head().toFloatArray();
                assertThat(before).isNotEqualTo(expected);
                target.loadEncoderWeights(weights);
                assertThat(target.forward(batch(local), false).head().toFloatArray()).containsExactly(expected);
            }
        }
    }

    @Test
    void loadingAnUntiedHeadIntoATiedLlamaNamesTheUnexpectedKey() {
        try (NDManager local = manager.newSubManager(); TransformerModel untied = TinyDecoders.create("llama", local);
                TransformerModel tied = TinyDecoders.create("llama-tied", local)) {
            Map<String, HostTensor> weights = new LinkedHashMap<>(untied.encoderWeights());
            weights.remove("model.norm.weight");
            assertThatThrownBy(() -> tied.loadEncoderWeights(weights))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("weights do not fit the model: missing [model.norm.weight], unexpected [lm_head.weight]");
        }
    }

    @Test
    void freshWeightsAreDrawnAsHfInitializesThem() {
        try (NDManager local = manager.newSubManager();
                TransformerModel model = TransformerModel.gpt2(TinyDecoders.parse("{\"n_embd\":64,\"n_layer\":2,\"n_head\":4,"
                        + "\"vocab_size\":500,\"n_positions\":64}", Gpt2Config.class), local)) {
            assertThat(std(model, "transformer.wte.weight")).isCloseTo(0.02, within(0.001));
            assertThat(std(model, "transformer.h.0.mlp.c_fc.weight")).isCloseTo(0.02, within(0.001));
            assertThat(std(model, "transformer.h.0.mlp.c_proj.weight")).isCloseTo(0.02 / Math.sqrt(4), within(0.0005));
            assertThat(Parameters.byName(model.root()).get("transformer.h.0.ln_1.weight").getArray().toFloatArray()).containsOnly(1f);
            assertThat(Parameters.byName(model.root()).get("transformer.h.0.attn.c_attn.bias").getArray().toFloatArray()).containsOnly(0f);
        }
    }

    /** The tied head sends gradient to every embedding row; untied, rows of tokens absent from the input get none. */
    @Test
    void gradientsReachTheTiedEmbeddingThroughTheHead() {
        for (String kind : new String[] {"llama-tied", "llama", "gpt2"}) {
            try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create(kind, local)) {
                Parameter embedding = model.inputEmbeddings().weight();
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = model.forward(batch(local), true).head();
                    collector.backward(logits.mul(local.randomNormal(logits.getShape())).sum());
                }
                try (NDArray gradient = embedding.getArray().getGradient()) {
                    float[] rowOfAbsentToken = gradient.get(39).toFloatArray();
                    float[] rowOfPresentToken = gradient.get(17).toFloatArray();
                    assertThat(norm(rowOfPresentToken)).as(kind).isGreaterThan(0).isFinite();
                    if (kind.equals("llama")) {
                        assertThat(norm(rowOfAbsentToken)).as(kind).isZero();
                    } else {
                        assertThat(norm(rowOfAbsentToken)).as(kind).isGreaterThan(0).isFinite();
                    }
                }
            }
        }
    }

    /** Autograd through gelu_new, LayerNorm, Conv1D and the masked softmax agrees with a central difference. */
    @Test
    void gpt2GradientMatchesAFiniteDifference() {
        Gpt2Config config = TinyDecoders.parse("{\"vocab_size\":40,\"n_embd\":16,\"n_layer\":2,\"n_head\":4,\"n_positions\":32,"
                + "\"initializer_range\":0.2,\"resid_pdrop\":0,\"embd_pdrop\":0,\"attn_pdrop\":0}", Gpt2Config.class);
        try (NDManager local = manager.newSubManager(); TransformerModel model = TransformerModel.gpt2(config, local)) {
            // the padding position's logits are left out, as an LM loss leaves them out (label -100): a query with
            // every key masked adds the lowest fp32 value to its scores, which rounds them away in the forward
            // pass but not in the backward pass
            NDArray realTokens = local.create(new float[][] {{1, 1, 1, 1}, {0, 1, 1, 1}}).expandDims(2);
            NDArray probe = local.randomNormal(new ai.djl.ndarray.types.Shape(2, 4, 40)).mul(realTokens);
            NDArray weight = Parameters.byName(model.root()).get("transformer.h.0.mlp.c_fc.weight").getArray();
            float analytic;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(model.forward(batch(local), true).head().mul(probe).sum());
            }
            try (NDArray gradient = weight.getGradient()) {
                analytic = gradient.toFloatArray()[7];
            }
            float[] values = weight.toFloatArray();
            double eps = 1e-2;
            double[] losses = new double[2];
            for (int side = 0; side < 2; side++) {
                float[] shifted = values.clone();
                shifted[7] += (float) (side == 0 ? eps : -eps);
                weight.set(shifted);
                losses[side] = model.forward(batch(local), false).head().mul(probe).sum().getFloat();
            }
            weight.set(values);
            double numeric = (losses[0] - losses[1]) / (2 * eps);
            assertThat(Math.abs(numeric)).isGreaterThan(1e-3);
            assertThat((double) analytic).isCloseTo(numeric, within(2e-3 * Math.max(1, Math.abs(numeric))));
        }
    }

    @Test
    void gpt2DropoutIsReproduciblePerSeedAndStep() {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyDecoders.create("gpt2", local)) {
            float[] first = model.forward(batch(local), new DropoutSeed(3, 0)).head().toFloatArray();
            float[] again = model.forward(batch(local), new DropoutSeed(3, 0)).head().toFloatArray();
            float[] nextStep = model.forward(batch(local), new DropoutSeed(3, 1)).head().toFloatArray();
            float[] eval = model.forward(batch(local), false).head().toFloatArray();
            assertThat(again).containsExactly(first);
            assertThat(nextStep).isNotEqualTo(first);
            assertThat(eval).isNotEqualTo(first);
        }
    }

    private static double std(TransformerModel model, String name) {
        float[] values = Parameters.byName(model.root()).get(name).getArray().toFloatArray();
        double sum = 0;
        double squares = 0;
        for (float v : values) {
            sum += v;
            squares += v * v;
        }
        double mean = sum / values.length;
        return Math.sqrt(squares / values.length - mean * mean);
    }

    private static double norm(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v * v;
        }
        return Math.sqrt(sum);
    }
}
