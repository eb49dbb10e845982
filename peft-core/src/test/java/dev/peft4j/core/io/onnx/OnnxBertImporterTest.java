package dev.peft4j.core.io.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.onnx.proto.ModelProto;
import dev.peft4j.core.io.onnx.proto.TensorProto;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imports of the exporter's layout and of each variant the importer accepts, on a tiny graph. */
class OnnxBertImporterTest {

    @TempDir
    Path dir;

    static ImportedBert read(ModelProto model) throws IOException {
        return OnnxBertImporter.read(new ByteArrayInputStream(model.toByteArray()), "tiny.onnx");
    }

    @Test
    void importsThePyTorchExportLayout() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        ImportedBert imported = read(tiny.build());

        assertThat(imported.config()).isEqualTo(tiny.config());
        assertThat(imported.weights()).containsExactlyEntriesOf(tiny.weights());
        assertThat(imported.weights()).hasSize(5 + 2 * 16);
        assertThat(imported.skippedInitializers()).containsExactly("embeddings.position_ids");
    }

    @Test
    void transposesUnnamedMatMulWeightsToOutIn() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        ModelProto model = tiny.build();
        TensorProto stored = model.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().startsWith("onnx::MatMul_")).findFirst().orElseThrow();
        HostTensor storedInOut = OnnxTensors.toFloat(stored, "test", "tiny.onnx");

        HostTensor query = read(model).weights().get("encoder.layer.0.attention.self.query.weight");

        assertThat(query).isEqualTo(storedInOut.transpose2d());
        assertThat(query.shape()).containsExactly(TinyBertOnnx.HIDDEN, TinyBertOnnx.HIDDEN);
    }

    @Test
    void readsTheSameFromAPath() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        Path file = Files.write(dir.resolve("tiny.onnx"), tiny.build().toByteArray());

        ImportedBert imported = OnnxBertImporter.read(file);

        assertThat(imported.config()).isEqualTo(tiny.config());
        assertThat(imported.weights()).containsExactlyEntriesOf(tiny.weights());
    }

    @Test
    void acceptsNamedWeightsReadThroughTranspose() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.transposedWeights = true;

        ImportedBert imported = read(tiny.build());

        assertThat(imported.weights()).containsExactlyEntriesOf(tiny.weights());
        assertThat(imported.skippedInitializers()).containsExactly("embeddings.position_ids");
    }

    @Test
    void acceptsLayerNormalizationNodesAndTheirEpsilon() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.layerNormalizationOp = true;
        tiny.epsilon = 1e-5f;

        ImportedBert imported = read(tiny.build());

        assertThat(imported.config().layerNormEps()).isEqualTo(1e-5);
        assertThat(imported.weights()).containsExactlyEntriesOf(tiny.weights());
    }

    @Test
    void epsilonKeepsItsDecimalValue() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.epsilon = 1e-7f;

        assertThat(read(tiny.build()).config().layerNormEps()).isEqualTo(1e-7);
    }

    @Test
    void headsFromAConstantReshapeTarget() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.constantReshapeTarget = true;

        assertThat(read(tiny.build()).config().numAttentionHeads()).isEqualTo(TinyBertOnnx.HEADS);
    }

    @Test
    void headsFromTheScoreScaleWhenNoReshapeSplitsHeads() throws IOException {
        ModelProto model = TinyBertOnnx.withoutNodes(new TinyBertOnnx().build(),
                node -> node.getOpType().equals("Reshape"));

        assertThat(read(model).config().numAttentionHeads()).isEqualTo(TinyBertOnnx.HEADS);
    }

    @Test
    void keepsAPoolerAfterTheEncoderWeights() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.pooler = true;

        ImportedBert imported = read(tiny.build());

        assertThat(imported.weights()).containsExactlyEntriesOf(tiny.weights());
        List<String> keys = new ArrayList<>(imported.weights().keySet());
        assertThat(keys.subList(keys.size() - 2, keys.size())).containsExactly("pooler.dense.weight", "pooler.dense.bias");
    }

    @Test
    void readsTypedFloatAndInt64FieldsLikeRawData() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.constantReshapeTarget = true;
        ModelProto model = TinyBertOnnx.mapInitializers(tiny.build(), OnnxBertImporterTest::typed);
        model = TinyBertOnnx.mapNodes(model, node -> node.getOpType().equals("Constant")
                ? node.toBuilder().setAttribute(0, node.getAttribute(0).toBuilder().setT(typed(node.getAttribute(0).getT())))
                        .build()
                : node);

        ImportedBert imported = read(model);

        assertThat(imported.config()).isEqualTo(tiny.config());
        assertThat(imported.weights()).containsExactlyEntriesOf(tiny.weights());
    }

    /** Moves raw_data into float_data / int64_data. */
    private static TensorProto typed(TensorProto tensor) {
        try {
            return typedOrThrow(tensor);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static TensorProto typedOrThrow(TensorProto tensor) throws IOException {
        TensorProto.Builder builder = tensor.toBuilder().clearRawData();
        if (tensor.getDataType() == OnnxTensors.FLOAT) {
            for (float value : OnnxTensors.toFloat(tensor, "test", "tiny.onnx").values()) {
                builder.addFloatData(value);
            }
        } else {
            for (long value : OnnxTensors.toLongs(tensor, "test", "tiny.onnx")) {
                builder.addInt64Data(value);
            }
        }
        return builder.build();
    }

    @Test
    void weightsMapIsUnmodifiable() throws IOException {
        Map<String, HostTensor> weights = read(new TinyBertOnnx().build()).weights();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> weights.remove("embeddings.LayerNorm.bias"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
