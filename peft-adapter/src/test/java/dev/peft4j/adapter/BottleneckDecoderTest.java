package dev.peft4j.adapter;

import static dev.peft4j.core.testing.DecoderTesting.assertCacheMatchesFullForward;
import static dev.peft4j.core.testing.DecoderTesting.assertDisabledIsBase;
import static dev.peft4j.core.testing.DecoderTesting.assertSaveLoadRoundTrip;
import static dev.peft4j.core.testing.DecoderTesting.baseLogits;
import static dev.peft4j.core.testing.DecoderTesting.create;
import static dev.peft4j.core.testing.DecoderTesting.logits;
import static dev.peft4j.core.testing.DecoderTesting.train;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.peft4j.core.model.Conv1D;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.RmsNorm;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.spi.InjectionContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bottleneck adapters in the tiny decoders ({@link dev.peft4j.core.testing.DecoderTesting}, hidden
 * 16): where they sit for each arrangement, their count ({@code 2 d m + d + m} per adapter), that a
 * fresh one changes no bit, training, the disabled model and a save/load round trip.
 */
class BottleneckDecoderTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static PeftModel adapt(String architecture, NDManager scope, BottleneckConfig config) {
        return BottleneckTesting.RUNTIME.getPeftModel(create(architecture, scope), config, ConfigOrigin.USER);
    }

    private static List<String> wrapped(PeftModel peft, Class<? extends Block> type) {
        return peft.baseModel().modules().entrySet().stream().filter(e -> type.isInstance(e.getValue())).map(Map.Entry::getKey).toList();
    }

    @Test
    void houlsbyFollowsBothOutputProjectionsOfLlama() {
        BottleneckConfig config = BottleneckConfig.of(BottleneckPlacement.HOULSBY).withWidth(null, 4);
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt("llama", scope, config)) {
            assertThat(wrapped(peft, BottleneckDecoderOutput.class)).containsExactly(
                    "model.layers.0.self_attn.o_proj", "model.layers.0.mlp.down_proj",
                    "model.layers.1.self_attn.o_proj", "model.layers.1.mlp.down_proj");
            assertThat(wrapped(peft, BottleneckResidualTap.class)).isEmpty();
            // 4 adapters of 2 d m + d + m, d 16, m 4
            assertThat(peft.trainableParameterCount()).isEqualTo(4L * (2 * 16 * 4 + 16 + 4));
            assertThat(peft.trainableParameters()).containsKey("model.layers.0.mlp.down_proj.adapters.default.adapter_down.weight");
        }
    }

    @ParameterizedTest
    @CsvSource({"pfeiffer, llama", "parallel, llama", "pfeiffer, gpt2", "parallel, gpt2"})
    void pfeifferAndParallelFollowTheFeedForwardOutputAndTapItsNorm(String placement, String architecture) {
        BottleneckConfig config = BottleneckConfig.of(BottleneckPlacement.fromJson(placement)).withWidth(null, 4);
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt(architecture, scope, config)) {
            if (architecture.equals("llama")) {
                assertThat(wrapped(peft, BottleneckDecoderOutput.class)).containsExactly("model.layers.0.mlp.down_proj",
                        "model.layers.1.mlp.down_proj");
                assertThat(wrapped(peft, BottleneckResidualTap.class)).containsExactly("model.layers.0.post_attention_layernorm",
                        "model.layers.1.post_attention_layernorm");
            } else {
                assertThat(wrapped(peft, BottleneckDecoderOutput.class)).containsExactly("transformer.h.0.mlp.c_proj",
                        "transformer.h.1.mlp.c_proj");
                assertThat(wrapped(peft, BottleneckResidualTap.class)).containsExactly("transformer.h.0.ln_2", "transformer.h.1.ln_2");
            }
            assertThat(peft.trainableParameterCount()).isEqualTo(2L * (2 * 16 * 4 + 16 + 4));
        }
    }

    @ParameterizedTest
    @CsvSource({"houlsby, llama", "pfeiffer, llama", "parallel, llama", "houlsby, gpt2", "pfeiffer, gpt2", "parallel, gpt2"})
    void freshAdaptersChangeNoBitTrainingLowersTheLossAndDisablingGivesTheBase(String placement, String architecture) {
        BottleneckConfig config = BottleneckConfig.of(BottleneckPlacement.fromJson(placement)).withWidth(null, 4);
        try (NDManager scope = manager.newSubManager()) {
            float[] base = baseLogits(architecture, scope);
            try (PeftModel peft = adapt(architecture, scope, config)) {
                assertThat(logits(peft, scope)).as("W_up = 0: the base, bit for bit").containsExactly(base);
                List<Float> losses = train(peft, 8, 0.01, scope);
                assertThat(losses.getLast()).as(losses.toString()).isLessThan(losses.getFirst() * 0.95f);
                assertDisabledIsBase(peft, base, scope);
                assertCacheMatchesFullForward(peft, scope);
            }
        }
    }

    @Test
    void gpt2HoulsbyWrapsTheConv1DProjections(@TempDir Path dir) throws IOException {
        BottleneckConfig config = BottleneckConfig.of(BottleneckPlacement.HOULSBY).withWidth(null, 2);
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt("gpt2", scope, config)) {
            BottleneckDecoderOutput output = (BottleneckDecoderOutput) peft.baseModel().module("transformer.h.0.attn.c_proj");
            assertThat(output.baseLayer()).isInstanceOf(Conv1D.class);
            train(peft, 2, 0.01, scope);
            Map<String, long[]> shapes = assertSaveLoadRoundTrip(BottleneckTesting.RUNTIME, peft, dir, scope);
            assertThat(shapes).hasSize(4 * 4)
                    .containsKey("base_model.model.transformer.h.1.mlp.c_proj.adapters.adapter_up.bias");
            assertThat(shapes.get("base_model.model.transformer.h.0.attn.c_proj.adapters.adapter_down.weight")).containsExactly(2, 16);
        }
    }

    @Test
    void pfeifferRoundTripsOnLlama(@TempDir Path dir) throws IOException {
        BottleneckConfig config = BottleneckConfig.of(BottleneckPlacement.PFEIFFER).withWidth(null, 2);
        try (NDManager scope = manager.newSubManager(); PeftModel peft = adapt("llama", scope, config)) {
            train(peft, 2, 0.01, scope);
            assertThat(assertSaveLoadRoundTrip(BottleneckTesting.RUNTIME, peft, dir, scope)).hasSize(2 * 4);
        }
    }

    @Test
    void deletingTheAdapterPutsTheBaseBlocksBack() {
        BottleneckConfig config = BottleneckConfig.of(BottleneckPlacement.PARALLEL).withWidth(null, 2);
        try (NDManager scope = manager.newSubManager()) {
            float[] base = baseLogits("llama", scope);
            try (PeftModel peft = adapt("llama", scope, config)) {
                peft.addAdapter("other", BottleneckConfig.of(BottleneckPlacement.HOULSBY).withWidth(null, 2));
                peft.deleteAdapter("default");
                assertThat(peft.baseModel().module("model.layers.0.post_attention_layernorm")).isInstanceOf(RmsNorm.class);
                assertThat(peft.baseModel().module("model.layers.0.mlp.down_proj")).isInstanceOf(BottleneckDecoderOutput.class);
                peft.deleteAdapter("other");
                assertThat(peft.baseModel().module("model.layers.0.mlp.down_proj")).isInstanceOf(Linear.class);
                assertThat(logits(peft, scope)).containsExactly(base);
            }
        }
    }

    @Test
    void unknownArchitecturesAreRefusedByName() {
        try (NDManager scope = manager.newSubManager(); var model = create("llama", scope)) {
            var other = new dev.peft4j.core.spi.AdaptableModel() {
                @Override public String architecture() { return "t5"; }
                @Override public List<String> defaultTargetModules() { return model.defaultTargetModules(); }
                @Override public int hiddenSize() { return model.hiddenSize(); }
                @Override public int numLayers() { return model.numLayers(); }
                @Override public Map<String, Block> modules() { return model.modules(); }
                @Override public Block module(String path) { return model.module(path); }
                @Override public Block replaceModule(String path, Block replacement) { return model.replaceModule(path, replacement); }
                @Override public dev.peft4j.core.spi.AdapterSwitch adapterSwitch() { return model.adapterSwitch(); }
                @Override public NDManager manager() { return model.manager(); }
            };
            BottleneckMethod method = new BottleneckMethod(BottleneckConfig.defaults());
            assertThatThrownBy(() -> method.apply(new InjectionContext(other, InjectionContext.DEFAULT_ADAPTER, ConfigOrigin.USER)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("bottleneck adapters do not know where to sit in a 't5' model; known architectures:"
                            + " [bert, gpt2, llama, mistral, qwen2]");
        }
    }
}
