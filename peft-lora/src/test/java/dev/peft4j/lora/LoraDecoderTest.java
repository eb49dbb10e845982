package dev.peft4j.lora;

import static dev.peft4j.core.testing.DecoderTesting.assertCacheMatchesFullForward;
import static dev.peft4j.core.testing.DecoderTesting.assertDisabledIsBase;
import static dev.peft4j.core.testing.DecoderTesting.assertSaveLoadRoundTrip;
import static dev.peft4j.core.testing.DecoderTesting.baseLogits;
import static dev.peft4j.core.testing.DecoderTesting.create;
import static dev.peft4j.core.testing.DecoderTesting.logits;
import static dev.peft4j.core.testing.DecoderTesting.train;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.model.Conv1D;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.ConfigOrigin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRA on the tiny decoders ({@link dev.peft4j.core.testing.DecoderTesting}): GPT-2's fused
 * {@code c_attn} is a {@link Conv1D} (weight {@code (in, out)}, HF's {@code fan_in_fan_out}), Llama's
 * {@code q_proj}/{@code v_proj} are {@link Linear}s with grouped-query widths (q 16 -> 16, v 16 -> 8).
 */
class LoraDecoderTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static PeftModel adapt(String architecture, NDManager scope, LoraConfig config) {
        return LoraTesting.RUNTIME.getPeftModel(create(architecture, scope), config, ConfigOrigin.USER);
    }

    @Test
    void gpt2DefaultTargetsAreTheConv1DCAttnWithFanInFanOutSetAsHfDoes() {
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt("gpt2", scope, LoraConfig.builder().build())) {
            LoraLayer layer = (LoraLayer) peft.baseModel().module("transformer.h.0.attn.c_attn");
            assertThat(layer.base()).isInstanceOf(Conv1D.class);
            assertThat(layer.baseLayerView().fanInFanOut()).isTrue();
            assertThat(layer.loraA().getArray().getShape().getShape()).containsExactly(8, 16);
            assertThat(layer.loraB().getArray().getShape().getShape()).containsExactly(48, 8);
            // HF warns and writes fan_in_fan_out: true back into the config, which is then saved
            assertThat(((LoraConfig) peft.config()).fanInFanOut()).isTrue();
            // r (in + out) per c_attn, 2 layers
            assertThat(peft.trainableParameterCount()).isEqualTo(2L * 8 * (16 + 48));
        }
    }

    @Test
    void llamaDefaultTargetsAreQAndVProjectionsWithGroupedQueryWidths() {
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt("llama", scope, LoraConfig.builder().build())) {
            assertThat(peft.baseModel().modules().entrySet().stream().filter(e -> e.getValue() instanceof LoraLayer)
                    .map(Map.Entry::getKey)).containsExactly("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                    "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj");
            assertThat(((LoraConfig) peft.config()).fanInFanOut()).isFalse();
            // q_proj 16 -> 16, v_proj 16 -> 8 (2 key/value heads of 4)
            assertThat(peft.trainableParameterCount()).isEqualTo(2L * (8 * (16 + 16) + 8 * (16 + 8)));
        }
    }

    @Test
    void allLinearOnGpt2TakesEveryConv1DButNotTheHead() {
        LoraConfig config = LoraConfig.builder().r(2).targetModules(dev.peft4j.core.target.TargetModules.allLinear()).build();
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt("gpt2", scope, config)) {
            assertThat(peft.baseModel().modules().entrySet().stream().filter(e -> e.getValue() instanceof LoraLayer)
                    .map(Map.Entry::getKey).toList()).containsExactly(
                    "transformer.h.0.attn.c_attn", "transformer.h.0.attn.c_proj", "transformer.h.0.mlp.c_fc", "transformer.h.0.mlp.c_proj",
                    "transformer.h.1.attn.c_attn", "transformer.h.1.attn.c_proj", "transformer.h.1.mlp.c_fc", "transformer.h.1.mlp.c_proj");
            // per layer: c_attn 16->48, c_proj 16->16, c_fc 16->64, mlp.c_proj 64->16
            assertThat(peft.trainableParameterCount()).isEqualTo(2L * 2 * ((16 + 48) + (16 + 16) + (16 + 64) + (64 + 16)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void trainingLowersTheLmLossAndDisablingGivesTheBaseBitForBit(String architecture) {
        try (NDManager scope = manager.newSubManager()) {
            float[] base = baseLogits(architecture, scope);
            try (PeftModel peft = adapt(architecture, scope, LoraConfig.builder().loraAlpha(16).build())) {
                assertThat(logits(peft, scope)).as("B = 0: a fresh adapter computes the base").containsExactly(base);
                List<Float> losses = train(peft, 8, 0.02, scope);
                assertThat(losses.getLast()).as(losses.toString()).isLessThan(losses.getFirst() * 0.9f);
                assertDisabledIsBase(peft, base, scope);
                assertCacheMatchesFullForward(peft, scope);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void mergedEqualsUnmergedAndUnmergeRestoresTheWeights(String architecture) {
        LoraConfig config = LoraConfig.builder().initLoraWeights(LoraConfig.InitLoraWeights.RANDOM).loraAlpha(16).build();
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt(architecture, scope, config)) {
            String path = architecture.equals("gpt2") ? "transformer.h.1.attn.c_attn" : "model.layers.1.self_attn.v_proj";
            LoraLayer layer = (LoraLayer) peft.baseModel().module(path);
            float[] weight = layer.baseWeight().getArray().toFloatArray();
            float[] unmerged = logits(peft, scope);
            peft.merge();
            assertThat(layer.baseWeight().getArray().toFloatArray()).isNotEqualTo(weight);
            assertThat(logits(peft, scope)).containsExactly(unmerged, within(1e-4f));
            peft.unmerge();
            assertThat(layer.baseWeight().getArray().toFloatArray()).containsExactly(weight);
        }
    }

    @Test
    void conv1DMergeAddsTheTransposedDelta() {
        LoraConfig config = LoraConfig.builder().r(2).loraAlpha(4).initLoraWeights(LoraConfig.InitLoraWeights.RANDOM).build();
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt("gpt2", scope, config)) {
            LoraLayer layer = (LoraLayer) peft.baseModel().module("transformer.h.0.attn.c_attn");
            float[] w = layer.baseWeight().getArray().toFloatArray();
            float[] a = layer.loraA().getArray().toFloatArray();
            float[] b = layer.loraB().getArray().toFloatArray();
            peft.merge();
            float[] merged = layer.baseWeight().getArray().toFloatArray();
            // stored (in, out): W'[i][o] = W[i][o] + (alpha / r) sum_k B[o][k] A[k][i]
            for (int i = 0; i < 16; i++) {
                for (int o = 0; o < 48; o++) {
                    double delta = 0;
                    for (int k = 0; k < 2; k++) {
                        delta += b[o * 2 + k] * a[k * 16 + i];
                    }
                    assertThat(merged[i * 48 + o]).isCloseTo((float) (w[i * 48 + o] + 2 * delta), within(1e-5f));
                }
            }
        }
    }

    @Test
    void doraOnConv1DStartsAtTheBaseAndMergesToWhatItComputes() {
        LoraConfig config = LoraConfig.builder().useDora(true).build();
        try (NDManager scope = manager.newSubManager()) {
            float[] base = baseLogits("gpt2", scope);
            try (PeftModel peft = adapt("gpt2", scope, config)) {
                LoraLayer layer = (LoraLayer) peft.baseModel().module("transformer.h.0.attn.c_attn");
                // m = column norms of the stored (in, out) weight: HF's norm of transpose(W, fan_in_fan_out) over dim 1
                float[] w = layer.baseWeight().getArray().toFloatArray();
                float[] m = layer.magnitude().getArray().toFloatArray();
                assertThat(m).hasSize(48);
                double norm0 = 0;
                for (int i = 0; i < 16; i++) {
                    norm0 += w[i * 48] * w[i * 48];
                }
                assertThat(m[0]).isCloseTo((float) Math.sqrt(norm0), within(1e-5f));
                assertThat(logits(peft, scope)).containsExactly(base, within(1e-5f));
                List<Float> losses = train(peft, 5, 0.02, scope);
                assertThat(losses.getLast()).isLessThan(losses.getFirst());
                float[] unmerged = logits(peft, scope);
                peft.merge();
                assertThat(logits(peft, scope)).containsExactly(unmerged, within(1e-4f));
                peft.unmerge();
                // 2 layers: A, B and m per c_attn
                assertThat(peft.trainableParameterCount()).isEqualTo(2L * (8 * (16 + 48) + 48));
            }
        }
    }

    @Test
    void checkpointKeysAndConfigAreHfPeftsForGpt2(@TempDir Path dir) throws IOException {
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt("gpt2", scope, LoraConfig.builder().r(4).build())) {
            train(peft, 2, 0.02, scope);
            Map<String, long[]> shapes = assertSaveLoadRoundTrip(LoraTesting.RUNTIME, peft, dir, scope);
            assertThat(shapes.keySet()).containsExactlyInAnyOrder(
                    "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight", "base_model.model.transformer.h.0.attn.c_attn.lora_B.weight",
                    "base_model.model.transformer.h.1.attn.c_attn.lora_A.weight", "base_model.model.transformer.h.1.attn.c_attn.lora_B.weight");
            assertThat(shapes.get("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight")).containsExactly(4, 16);
            assertThat(shapes.get("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight")).containsExactly(48, 4);
            JsonNode config = new ObjectMapper().readTree(Files.readString(dir.resolve(AdapterCheckpoint.CONFIG_FILE)));
            assertThat(config.get("task_type").asText()).isEqualTo("CAUSAL_LM");
            assertThat(config.get("peft_type").asText()).isEqualTo("LORA");
            assertThat(config.get("fan_in_fan_out").asBoolean()).isTrue();
        }
    }

    @Test
    void checkpointKeysAreHfPeftsForLlama(@TempDir Path dir) throws IOException {
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt("llama", scope, LoraConfig.builder().r(4).build())) {
            train(peft, 2, 0.02, scope);
            Map<String, long[]> shapes = assertSaveLoadRoundTrip(LoraTesting.RUNTIME, peft, dir, scope);
            assertThat(shapes).hasSize(8).containsKey("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
            assertThat(shapes.get("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight")).containsExactly(8, 4);
            JsonNode config = new ObjectMapper().readTree(Files.readString(dir.resolve(AdapterCheckpoint.CONFIG_FILE)));
            assertThat(config.get("task_type").asText()).isEqualTo("CAUSAL_LM");
            assertThat(config.get("fan_in_fan_out").asBoolean()).isFalse();
        }
    }

    @Test
    void fanInFanOutTrueOnLlamaLinearsIsResetToFalse() {
        try (NDManager scope = manager.newSubManager();
                PeftModel peft = adapt("llama", scope, LoraConfig.builder().fanInFanOut(true).build())) {
            assertThat(((LoraConfig) peft.config()).fanInFanOut()).isFalse();
            TransformerModel model = peft.baseModel();
            assertThat(((LoraLayer) model.module("model.layers.0.self_attn.q_proj")).base()).isInstanceOf(Linear.class);
        }
    }
}
