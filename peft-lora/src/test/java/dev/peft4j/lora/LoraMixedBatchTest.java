package dev.peft4j.lora;

import static dev.peft4j.lora.LoraTesting.RUNTIME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.peft4j.core.full.FullFineTuningConfig;
import dev.peft4j.core.full.FullFineTuningProvider;
import dev.peft4j.core.io.BundledModel;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.lora.LoraConfig.InitLoraWeights;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mixed-adapter batches (HF PEFT's {@code adapter_names}): every row equals running it alone with
 * its adapter active, {@code __base__} rows equal the base model, and HF's refusals.
 */
class LoraMixedBatchTest {

    static final double TOLERANCE = 1e-5;
    /** Plain LoRA, random non-zero B (init RANDOM). */
    static final LoraConfig PLAIN = LoraConfig.builder().r(4).targetModules("query", "value")
            .initLoraWeights(InitLoraWeights.RANDOM).build();
    /** Another rank and other targets. */
    static final LoraConfig OTHER = LoraConfig.builder().r(2).loraAlpha(8).targetModules("query", "key", "dense")
            .initLoraWeights(InitLoraWeights.RANDOM).build();
    /** rsLoRA: scaling alpha / sqrt(r). */
    static final LoraConfig RSLORA = LoraConfig.builder().r(8).loraAlpha(4).targetModules("value", "intermediate.dense")
            .useRslora(true).initLoraWeights(InitLoraWeights.RANDOM).build();
    static final LoraConfig DORA = LoraConfig.builder().r(2).targetModules("query").useDora(true)
            .initLoraWeights(InitLoraWeights.RANDOM).build();

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** A TinyBert with adapters a (LoRA), b (LoRA, other rank and targets), rs (rsLoRA), dora (DoRA); "a" active. */
    static PeftModel fourAdapters(NDManager manager, TaskType task) {
        PeftModel peft = RUNTIME.getPeftModel(TinyBert.create(manager, task), PLAIN, ConfigOrigin.USER, null, "a");
        peft.addAdapter("b", OTHER);
        peft.addAdapter("rs", RSLORA);
        peft.addAdapter("dora", DORA);
        return peft;
    }

    /** Five rows of 2 to 7 real tokens, padded to 7. */
    static final long[][] IDS = {{2, 7, 9, 3, 11, 4, 3}, {2, 5, 3, 0, 0, 0, 0}, {2, 8, 8, 12, 3, 0, 0}, {2, 3, 0, 0, 0, 0, 0},
            {2, 14, 6, 9, 10, 3, 0}};

    static NDList rows(NDManager scope, int... picked) {
        int width = 0;
        for (int row : picked) {
            width = Math.max(width, realLength(IDS[row]));
        }
        long[][] ids = new long[picked.length][width];
        long[][] mask = new long[picked.length][width];
        for (int i = 0; i < picked.length; i++) {
            int length = realLength(IDS[picked[i]]);
            System.arraycopy(IDS[picked[i]], 0, ids[i], 0, length);
            Arrays.fill(mask[i], 0, length, 1);
        }
        return new NDList(scope.create(ids), scope.create(mask));
    }

    private static int realLength(long[] ids) {
        int length = ids.length;
        while (ids[length - 1] == 0) {
            length--;
        }
        return length;
    }

    /** Each row alone (without padding), its adapter active, or with adapters disabled for __base__. */
    static float[][] alone(PeftModel peft, List<String> names) {
        float[][] out = new float[names.size()][];
        List<String> active = peft.activeAdapters();
        for (int i = 0; i < names.size(); i++) {
            try (NDManager scope = manager.newSubManager()) {
                if (names.get(i).equals("__base__")) {
                    try (var off = peft.disableAdapter()) {
                        out[i] = peft.forward(rows(scope, i), false).head().toFloatArray();
                    }
                } else {
                    peft.setActiveAdapter(names.get(i));
                    out[i] = peft.forward(rows(scope, i), false).head().toFloatArray();
                }
            }
        }
        peft.setActiveAdapters(active);
        return out;
    }

    static float[][] byRow(NDArray logits) {
        int rows = Math.toIntExact(logits.getShape().get(0));
        float[] flat = logits.toFloatArray();
        int width = flat.length / rows;
        float[][] out = new float[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return out;
    }

    static double maxDifference(float[][] a, float[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).hasSameSizeAs(b[i]);
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }

    @Test
    void everyRowEqualsRunningItAloneWithItsAdapterAndBaseRowsEqualTheBase() {
        List<String> names = List.of("a", "rs", "__base__", "b", "a");
        try (PeftModel peft = fourAdapters(manager, TaskType.SEQ_CLS); NDManager scope = manager.newSubManager()) {
            peft.setActiveAdapter("dora");   // which adapter is active does not matter
            float[][] mixed = byRow(peft.forward(rows(scope, 0, 1, 2, 3, 4), names).head());
            float[][] expected = alone(peft, names);
            assertThat(maxDifference(mixed, expected)).isLessThan(TOLERANCE);
            // the rows really differ by adapter: row 0 and row 4 use "a", so swapping names changes them
            float[][] swapped = byRow(peft.forward(rows(scope, 0, 1, 2, 3, 4), List.of("b", "rs", "__base__", "b", "rs")).head());
            assertThat(maxDifference(new float[][] {swapped[0]}, new float[][] {mixed[0]})).isGreaterThan(1e-3);
            assertThat(peft.activeAdapters()).containsExactly("dora");
        }
    }

    @Test
    void hiddenStatesOfAFeatureExtractionModelAreRoutedPerRowToo() {
        List<String> names = List.of("b", "a", "rs", "__base__", "b");
        try (PeftModel peft = fourAdapters(manager, TaskType.FEATURE_EXTRACTION); NDManager scope = manager.newSubManager()) {
            NDArray hidden = peft.forward(rows(scope, 0, 1, 2, 3, 4), names).head();   // (5, 7, 16)
            float[][] expected = alone(peft, names);
            for (int i = 0; i < names.size(); i++) {
                int length = realLength(IDS[i]);
                float[] mixedRow = hidden.get(i).get(":" + length).toFloatArray();
                float[] aloneRow = expected[i];
                assertThat(maxDifference(new float[][] {mixedRow}, new float[][] {aloneRow})).as(names.get(i)).isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void realMiniLmWithThreeAdaptersMatchesEachSentenceAlone() throws IOException {
        BundledModel bundled = BundledModel.ALL_MINILM_L6_V2;
        List<String> sentences = List.of("a gripping , beautifully shot film .", "dull .",
                "the plot wanders , but the performances hold it together for most of its running time .",
                "it may be the best film of the year , possibly .", "free money ! ! ! click here now");
        List<String> names = List.of("sentiment", "uncertainty", "spam", "__base__", "sentiment");
        try (NDManager model = NDManager.newBaseManager(); SentenceTokenizer tokenizer = bundled.tokenizer(64);
                PeftModel peft = RUNTIME.getPeftModel(
                        TransformerModel.pretrainedBert(bundled.importWeights(), TaskType.SEQ_CLS, 2, model), PLAIN,
                        ConfigOrigin.USER, tokenizer, "sentiment")) {
            peft.addAdapter("uncertainty", OTHER);
            peft.addAdapter("spam", RSLORA);
            float[][] mixed;
            try (NDManager scope = model.newSubManager()) {
                mixed = byRow(peft.forward(tokenizer.encode(sentences).toNDList(scope), names).head());
            }
            List<float[]> expected = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                try (NDManager scope = model.newSubManager()) {
                    NDList one = tokenizer.encode(List.of(sentences.get(i))).toNDList(scope);
                    if (names.get(i).equals("__base__")) {
                        try (var off = peft.disableAdapter()) {
                            expected.add(peft.forward(one, false).head().toFloatArray());
                        }
                    } else {
                        peft.setActiveAdapter(names.get(i));
                        expected.add(peft.forward(one, false).head().toFloatArray());
                    }
                }
            }
            assertThat(maxDifference(mixed, expected.toArray(float[][]::new))).isLessThan(TOLERANCE);
        }
    }

    @Test
    void whileAdaptersAreDisabledEveryRowIsTheBaseModel() {
        try (PeftModel peft = fourAdapters(manager, TaskType.SEQ_CLS); NDManager scope = manager.newSubManager()) {
            float[][] base = alone(peft, List.of("__base__", "__base__", "__base__"));
            try (var off = peft.disableAdapter()) {
                float[][] mixed = byRow(peft.forward(rows(scope, 0, 1, 2), List.of("a", "b", "rs")).head());
                assertThat(maxDifference(mixed, base)).isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void badAdapterNamesAreRefusedAsHfDoes() {
        try (PeftModel peft = fourAdapters(manager, TaskType.SEQ_CLS); NDManager scope = manager.newSubManager()) {
            NDList three = rows(scope, 0, 1, 2);
            assertThatThrownBy(() -> peft.forward(three, List.of("a", "x", "a"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("unknown adapter 'x' in adapter_names; adapters: [a, b, rs, dora], or __base__ for the base model");
            assertThatThrownBy(() -> peft.forward(three, List.of("a", "b"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("adapter_names has 2 names, but the batch has 3 rows; give one adapter name (or __base__) per row");
            assertThatThrownBy(() -> peft.forward(three, List.of("a", "b", "a"), true)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("adapter_names cannot be used in training mode; mixed-adapter batches are for inference (HF PEFT "
                            + "refuses them in training mode too)");
            assertThatThrownBy(() -> peft.forward(three, List.of("a", "dora", "__base__"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("adapter 'dora' cannot serve rows of a mixed-adapter batch: it uses DoRA (use_dora: true), which HF PEFT"
                            + " refuses in mixed-adapter batches too; serve it with setActiveAdapter");
            // a DoRA adapter that no row names does not matter
            assertThat(peft.forward(three, List.of("a", "b", "__base__")).head().getShape().get(0)).isEqualTo(3);
        }
    }

    @Test
    void mergedAdaptersAreRefusedUntilUnmerged() {
        try (PeftModel peft = fourAdapters(manager, TaskType.SEQ_CLS); NDManager scope = manager.newSubManager()) {
            LoraLayer query = LoraTesting.lora(peft, "bert.encoder.layer.0.attention.self.query");
            query.merge(List.of("a"), false);
            assertThatThrownBy(() -> peft.forward(rows(scope, 0, 1), List.of("b", "a"))).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot run a mixed-adapter batch while adapters [a] are merged into "
                            + "'bert.encoder.layer.0.attention.self.query'; unmerge() first (HF PEFT refuses adapter_names with merged "
                            + "adapters too)");
            query.unmerge();
            assertThat(peft.forward(rows(scope, 0, 1), List.of("b", "a")).head().getShape().get(0)).isEqualTo(2);
        }
    }

    @Test
    void methodsWhoseLayersDoNotRouteRowsAreRefusedNamingTheMethod() {
        PeftRuntime runtime = PeftRuntime.of(List.of(new FullFineTuningProvider()));
        try (PeftModel peft = runtime.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), new FullFineTuningConfig(),
                ConfigOrigin.USER); NDManager scope = manager.newSubManager()) {
            assertThatThrownBy(() -> peft.forward(rows(scope, 0), List.of("__base__"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("peft_type FULL cannot serve mixed-adapter batches (adapter_names): its layers do not route batch rows "
                            + "to adapters; HF PEFT supports adapter_names for LoRA adapters");
        }
    }
}
