package dev.peft4j.core.io.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.onnx.proto.ModelProto;
import dev.peft4j.core.io.onnx.proto.NodeProto;
import dev.peft4j.core.io.onnx.proto.TensorProto;
import dev.peft4j.core.model.BertConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imports a real sentence-embedding model shipped in a langchain4j jar (test dependency), once per
 * class, and checks names, shapes and config against the file itself and against onnxruntime.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RealOnnxModelTest {

    private static final List<String> LAYER_KEYS = List.of(
            "attention.self.query.weight", "attention.self.query.bias",
            "attention.self.key.weight", "attention.self.key.bias",
            "attention.self.value.weight", "attention.self.value.bias",
            "attention.output.dense.weight", "attention.output.dense.bias",
            "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
            "intermediate.dense.weight", "intermediate.dense.bias",
            "output.dense.weight", "output.dense.bias",
            "output.LayerNorm.weight", "output.LayerNorm.bias");

    private static final List<String> LINEAR_PATHS = List.of(
            "attention/self/query", "attention/self/key", "attention/self/value", "attention/output/dense",
            "intermediate/dense", "output/dense");

    @TempDir
    Path dir;

    byte[] bytes;
    ImportedBert imported;
    ModelProto model;

    /** @return the classpath resource, e.g. {@code all-minilm-l6-v2.onnx} */
    abstract String resource();

    /** @return the config HF publishes for the model */
    abstract BertConfig expectedConfig();

    /** @return initializers the importer should skip */
    abstract List<String> expectedSkipped();

    @BeforeAll
    void importOnce() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/" + resource())) {
            assertThat(in).as("test dependency jar with " + resource()).isNotNull();
            bytes = in.readAllBytes();
        }
        imported = OnnxBertImporter.read(new ByteArrayInputStream(bytes), resource());
        model = ModelProto.parseFrom(bytes);
    }

    @AfterAll
    void release() {
        bytes = null;
        imported = null;
        model = null;
    }

    @Test
    void derivesTheConfig() {
        assertThat(imported.config()).isEqualTo(expectedConfig());
    }

    @Test
    void yieldsExactlyTheBertModelKeysWithoutPooler() {
        List<String> expected = new ArrayList<>(List.of("embeddings.word_embeddings.weight",
                "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
                "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"));
        for (int layer = 0; layer < expectedConfig().numHiddenLayers(); layer++) {
            for (String key : LAYER_KEYS) {
                expected.add("encoder.layer." + layer + "." + key);
            }
        }
        assertThat(imported.weights().keySet()).containsExactlyElementsOf(expected);
        assertThat(imported.weights()).hasSize(5 + 16 * expectedConfig().numHiddenLayers());
        assertThat(imported.skippedInitializers()).containsExactlyElementsOf(expectedSkipped());
    }

    @Test
    void shapesAreHfLayout() {
        BertConfig c = expectedConfig();
        Map<String, HostTensor> w = imported.weights();
        assertThat(w.get("embeddings.word_embeddings.weight").shape()).containsExactly(c.vocabSize(), c.hiddenSize());
        assertThat(w.get("embeddings.position_embeddings.weight").shape()).containsExactly(512, c.hiddenSize());
        assertThat(w.get("encoder.layer.0.attention.self.query.weight").shape()).containsExactly(384, 384);
        assertThat(w.get("encoder.layer.0.intermediate.dense.weight").shape()).containsExactly(1536, 384);
        assertThat(w.get("encoder.layer.0.output.dense.weight").shape()).containsExactly(384, 1536);
        assertThat(w.get("encoder.layer.0.output.LayerNorm.bias").shape()).containsExactly(384);
    }

    /** Finds each weight through the exporter's node names, a route independent of the bias trace. */
    @Test
    void everyLinearWeightIsTheTransposeOfItsMatMulInitializer() throws IOException {
        for (int layer = 0; layer < expectedConfig().numHiddenLayers(); layer++) {
            for (String path : LINEAR_PATHS) {
                String nodeName = "/encoder/layer." + layer + "/" + path + "/MatMul";
                NodeProto matMul = model.getGraph().getNodeList().stream()
                        .filter(node -> node.getName().equals(nodeName)).findFirst().orElseThrow();
                HostTensor stored = OnnxTensors.toFloat(initializer(matMul.getInput(1)), "test", resource());
                String key = "encoder.layer." + layer + "." + path.replace('/', '.') + ".weight";
                assertThat(imported.weights().get(key)).as(key).isEqualTo(stored.transpose2d());
            }
        }
    }

    @Test
    void namedInitializersAreCopiedUnchanged() throws IOException {
        for (String name : List.of("embeddings.word_embeddings.weight", "embeddings.LayerNorm.weight",
                "encoder.layer.0.attention.self.query.bias", "encoder.layer.0.output.LayerNorm.bias")) {
            assertThat(imported.weights().get(name)).isEqualTo(OnnxTensors.toFloat(initializer(name), "test", resource()));
        }
    }

    /** The imported weights and config, run by a plain-Java BERT, reproduce onnxruntime's output. */
    @Test
    void reproducesOnnxRuntimeHiddenStates() throws Exception {
        long[] ids = {101, 7592, 1010, 2088, 999, 2023, 2003, 1037, 3231, 1012, 102};
        float[][] ours = new ReferenceBert(imported.config(), imported.weights()).forward(ids);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(bytes, new OrtSession.SessionOptions());
                OnnxTensor inputIds = OnnxTensor.createTensor(env, new long[][] {ids});
                OnnxTensor mask = OnnxTensor.createTensor(env, new long[][] {filled(ids.length, 1)});
                OnnxTensor types = OnnxTensor.createTensor(env, new long[][] {filled(ids.length, 0)});
                OrtSession.Result result = session.run(
                        Map.of("input_ids", inputIds, "attention_mask", mask, "token_type_ids", types))) {
            float[][] reference = ((float[][][]) result.get(0).getValue())[0];
            double maxError = 0;
            for (int t = 0; t < ids.length; t++) {
                for (int h = 0; h < reference[t].length; h++) {
                    maxError = Math.max(maxError, Math.abs(reference[t][h] - ours[t][h]));
                }
            }
            assertThat(maxError).as("max |ours - onnxruntime|").isLessThan(5e-5);
        }
    }

    @Test
    void truncatedCopyIsRejectedByName() throws IOException {
        Path cut = Files.write(dir.resolve("cut.onnx"), Arrays.copyOf(bytes, bytes.length / 3));
        assertThatThrownBy(() -> OnnxBertImporter.read(cut))
                .isExactlyInstanceOf(ModelFormatException.class)
                .hasMessage("not an ONNX model: " + cut + ": While parsing a protocol message, the input ended"
                        + " unexpectedly in the middle of a field.  This could mean either that the input has been"
                        + " truncated or that an embedded message misreported its own length.");
    }

    private TensorProto initializer(String name) {
        return model.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
    }

    private static long[] filled(int length, long value) {
        long[] values = new long[length];
        Arrays.fill(values, value);
        return values;
    }
}
