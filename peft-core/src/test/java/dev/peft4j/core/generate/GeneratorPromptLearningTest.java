package dev.peft4j.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.KeyValuePrefix;
import dev.peft4j.core.model.ModuleBlock;
import dev.peft4j.core.model.PromptEncoder;
import dev.peft4j.core.model.SoftPrompt;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.testing.TinyCausalLms;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Generation with prompt tuning's virtual tokens (fed on the first cached call only) and prefix
 * tuning's virtual keys and values (prepended on every call), hosted by the decoder as the
 * prompt-learning methods host them.
 */
class GeneratorPromptLearningTest {

    private static final List<int[]> PROMPTS = List.of(new int[] {30, 4, 5, 6, 7, 8}, new int[] {31, 2});

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @ParameterizedTest
    @CsvSource({"llama, soft-prompt", "llama, prefix", "gpt2, soft-prompt", "gpt2, prefix"})
    void theCacheChangesNoTokenAndEachRowComputesAlone(String kind, String virtual) {
        try (NDManager local = manager.newSubManager(); TransformerModel model = TinyCausalLms.create(kind, local)) {
            Generator generator = Generator.of(model);
            GenerationConfig greedy = GenerationConfig.greedy(8);
            GenerationConfig sampling = GenerationConfig.sampling(8, 1.5, 0, 1.0, 2);
            GenerationResult base = generator.generate(PROMPTS, sampling);
            model.attachPromptEncoder("default", virtual.equals("prefix") ? FixedVirtualInputs.prefix(model, local, 3)
                    : FixedVirtualInputs.softPrompt(model, local, 3));
            for (GenerationConfig config : List.of(greedy, sampling)) {
                GenerationResult cached = generator.generate(PROMPTS, config);
                assertThat(generator.generate(PROMPTS, config.withUseCache(false)).sequences()).isEqualTo(cached.sequences());
            }
            // greedy: each left-padded row computes as its prompt alone (sampling draws by row index)
            GenerationResult batch = generator.generate(PROMPTS, greedy);
            for (int row = 0; row < PROMPTS.size(); row++) {
                assertThat(generator.generate(List.of(PROMPTS.get(row)), greedy).tokens(0)).as("row %d alone", row)
                        .containsExactly(batch.tokens(row));
            }
            assertThat(generator.generate(PROMPTS, sampling).sequences()).as("the virtual inputs change the output")
                    .isNotEqualTo(base.sequences());
            try (var disabled = model.adapterToggle().disable()) {
                assertThat(generator.generate(PROMPTS, sampling).sequences()).isEqualTo(base.sequences());
            }
        }
    }

    /** A parameter-free prompt encoder giving fixed random virtual inputs, broadcast to the batch. */
    static final class FixedVirtualInputs extends ModuleBlock implements PromptEncoder {

        private final NDArray embeddings;
        private final KeyValuePrefix prefix;
        private final TransformerModel model;

        private FixedVirtualInputs(TransformerModel model, NDArray embeddings, KeyValuePrefix prefix) {
            this.model = model;
            this.embeddings = embeddings;
            this.prefix = prefix;
        }

        /** {@code length} virtual token embeddings {@code (1, length, hidden)} ~ N(0, 1). */
        static FixedVirtualInputs softPrompt(TransformerModel model, NDManager manager, int length) {
            return new FixedVirtualInputs(model, manager.randomNormal(new Shape(1, length, model.hiddenSize())), null);
        }

        /** {@code length} virtual keys and values per layer {@code (1, kv_heads, length, head_dim)} ~ N(0, 1). */
        static FixedVirtualInputs prefix(TransformerModel model, NDManager manager, int length) {
            List<NDArray> keys = new ArrayList<>();
            List<NDArray> values = new ArrayList<>();
            Shape shape = new Shape(1, model.numKeyValueHeads(), length, model.headDim());
            for (int layer = 0; layer < model.numLayers(); layer++) {
                keys.add(manager.randomNormal(shape));
                values.add(manager.randomNormal(shape));
            }
            return new FixedVirtualInputs(model, null, new KeyValuePrefix(keys, values));
        }

        @Override
        public PairList<String, Object> encode(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            PairList<String, Object> out = new PairList<>();
            if (!model.adapterToggle().adaptersEnabled()) {
                return out;
            }
            long batch = inputs.get(0).getShape().get(0);
            if (embeddings != null) {
                Shape shape = embeddings.getShape();
                out.add(SoftPrompt.PARAM, new SoftPrompt(embeddings.broadcast(new Shape(batch, shape.get(1), shape.get(2)))));
            } else {
                out.add(KeyValuePrefix.PARAM, new KeyValuePrefix(prefix.keys().stream().map(k -> repeat(k, batch)).toList(),
                        prefix.values().stream().map(v -> repeat(v, batch)).toList()));
            }
            return out;
        }

        private static NDArray repeat(NDArray x, long batch) {
            Shape shape = x.getShape();
            return x.broadcast(new Shape(batch, shape.get(1), shape.get(2), shape.get(3)));
        }

        @Override
        public HostTensor promptEmbeddings() {
            NDArray source = embeddings != null ? embeddings : prefix.key(0);
            return new HostTensor(source.getShape().getShape(), source.toFloatArray());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            return inputs;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }
}
