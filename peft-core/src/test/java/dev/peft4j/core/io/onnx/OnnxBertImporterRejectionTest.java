package dev.peft4j.core.io.onnx;

import static dev.peft4j.core.io.onnx.OnnxBertImporterTest.read;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.onnx.proto.ModelProto;
import dev.peft4j.core.io.onnx.proto.NodeProto;
import dev.peft4j.core.io.onnx.proto.StringStringEntryProto;
import dev.peft4j.core.io.onnx.proto.TensorProto;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a graph can fail to be a BERT peft4j reads, with the exact message. */
class OnnxBertImporterRejectionTest {

    @TempDir
    Path dir;

    private final ModelProto model = new TinyBertOnnx().build();

    private static AbstractThrowableAssert<?, ?> assertRejected(ModelProto model, String message) {
        return assertThatThrownBy(() -> read(model)).isExactlyInstanceOf(ModelFormatException.class).hasMessage(message);
    }

    private static Predicate<NodeProto> named(String name) {
        return node -> node.getName().equals(name);
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("missing.onnx");
        assertThatThrownBy(() -> OnnxBertImporter.read(missing))
                .isExactlyInstanceOf(FileNotFoundException.class)
                .hasMessage("model file not found: " + missing);
    }

    @Test
    void directoryIsNotAModel() {
        assertThatThrownBy(() -> OnnxBertImporter.read(dir))
                .isExactlyInstanceOf(ModelFormatException.class)
                .hasMessage("not an ONNX model: " + dir + ": not a regular file");
    }

    @Test
    void invalidWireTypeFromAPath() throws Exception {
        // 0x0F: field 1 with wire type 7, which does not exist.
        Path file = Files.write(dir.resolve("random.onnx"), new byte[] {0x0F, 0x13, 0x37});
        assertThatThrownBy(() -> OnnxBertImporter.read(file))
                .isExactlyInstanceOf(ModelFormatException.class)
                .hasMessage("not an ONNX model: " + file + ": Protocol message tag had invalid wire type.")
                .hasCauseInstanceOf(com.google.protobuf.InvalidProtocolBufferException.class);
    }

    @Test
    void randomBytes() {
        byte[] random = new byte[4096];
        new java.util.Random(7).nextBytes(random);
        assertThatThrownBy(() -> OnnxBertImporter.read(new ByteArrayInputStream(random), "random.onnx"))
                .isExactlyInstanceOf(ModelFormatException.class)
                .hasMessage("not an ONNX model: random.onnx: While parsing a protocol message, the input ended"
                        + " unexpectedly in the middle of a field.  This could mean either that the input has been"
                        + " truncated or that an embedded message misreported its own length.");
    }

    @Test
    void truncatedModel() {
        byte[] bytes = model.toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);
        assertThatThrownBy(() -> OnnxBertImporter.read(new ByteArrayInputStream(truncated), "cut.onnx"))
                .isExactlyInstanceOf(ModelFormatException.class)
                .hasMessage("not an ONNX model: cut.onnx: While parsing a protocol message, the input ended unexpectedly"
                        + " in the middle of a field.  This could mean either that the input has been truncated or that"
                        + " an embedded message misreported its own length.");
    }

    @Test
    void emptyFileHasNoGraph() throws Exception {
        Path file = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        assertThatThrownBy(() -> OnnxBertImporter.read(file))
                .isExactlyInstanceOf(ModelFormatException.class)
                .hasMessage("not an ONNX model: " + file + ": it has no graph (ModelProto field 7)");
    }

    @Test
    void missingEmbeddingInitializer() {
        assertRejected(TinyBertOnnx.withoutInitializer(model, "embeddings.word_embeddings.weight"),
                "missing initializer 'embeddings.word_embeddings.weight' in tiny.onnx");
    }

    @Test
    void missingBiasInitializer() {
        assertRejected(TinyBertOnnx.withoutInitializer(model, "encoder.layer.0.attention.self.key.bias"),
                "missing initializer 'encoder.layer.0.attention.self.key.bias' in tiny.onnx");
    }

    @Test
    void missingLayerNormInitializerOfTheLastLayer() {
        assertRejected(TinyBertOnnx.withoutInitializer(model, "encoder.layer.1.output.LayerNorm.bias"),
                "missing initializer 'encoder.layer.1.output.LayerNorm.bias' in tiny.onnx");
    }

    @Test
    void matMulNodeRemoved() {
        assertRejected(TinyBertOnnx.withoutNodes(model, named("/encoder/layer.1/attention/self/query/MatMul_node")),
                "ONNX graph of tiny.onnx has no MatMul feeding an Add with bias"
                        + " 'encoder.layer.1.attention.self.query.bias'");
    }

    @Test
    void biasAddNodeRemoved() {
        assertRejected(TinyBertOnnx.withoutNodes(model, named("/encoder/layer.0/intermediate/dense/Add_node")),
                "ONNX graph of tiny.onnx has no MatMul feeding an Add with bias 'encoder.layer.0.intermediate.dense.bias'");
    }

    @Test
    void noHeadCountInTheGraph() {
        ModelProto noHeads = TinyBertOnnx.withoutNodes(model,
                node -> node.getOpType().equals("Reshape") || node.getName().endsWith("/attention/self/scaled_node"));
        assertRejected(noHeads, "ONNX graph of tiny.onnx does not show the number of attention heads: no Reshape of"
                + " the output of 'encoder.layer.0.attention.self.query' to (batch, seq, heads, head_dim) and no"
                + " attention scores divided by sqrt(head_dim)");
    }

    @Test
    void noLayerNormEpsilon() {
        assertRejected(TinyBertOnnx.withoutNodes(model, named("/encoder/layer.0/output/LayerNorm/eps_node")),
                "ONNX graph of tiny.onnx does not show the epsilon of 'encoder.layer.0.output.LayerNorm': expected"
                        + " LayerNormalization or Mul(Div(x - mean, Sqrt(variance + eps)),"
                        + " 'encoder.layer.0.output.LayerNorm.weight')");
    }

    @Test
    void differentLayerNormEpsilons() {
        ModelProto changed = TinyBertOnnx.mapNodes(model, node -> node.getName().equals("/encoder/layer.1/output/LayerNorm/eps_node")
                ? node.toBuilder().setAttribute(0, node.getAttribute(0).toBuilder()
                        .setT(TinyBertOnnx.floats(new long[0], 1e-5f))).build()
                : node);
        assertRejected(changed, "LayerNorm epsilons differ in tiny.onnx: 'embeddings.LayerNorm' has 1.0E-12,"
                + " 'encoder.layer.1.output.LayerNorm' has 1.0E-5; BertConfig has one layer_norm_eps");
    }

    @Test
    void approximateGelu() {
        assertRejected(TinyBertOnnx.withoutNodes(model, node -> node.getOpType().equals("Erf")),
                "ONNX graph of tiny.onnx has no exact GELU (an Erf node or Gelu with approximate='none');"
                        + " peft4j's BERT supports hidden_act 'gelu' only");
    }

    @Test
    void externalData() {
        ModelProto external = TinyBertOnnx.mapInitializers(model, t -> t.getName().equals("embeddings.LayerNorm.bias")
                ? t.toBuilder().clearRawData().setDataLocation(1)
                        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("model.onnx_data"))
                        .build()
                : t);
        assertRejected(external, "initializer 'embeddings.LayerNorm.bias' in tiny.onnx uses external data"
                + " (data_location=EXTERNAL, location 'model.onnx_data'); only tensors stored inside the .onnx file are"
                + " supported");
    }

    @Test
    void halfPrecisionWeight() {
        ModelProto half = TinyBertOnnx.mapInitializers(model, t -> t.getName().equals("encoder.layer.0.output.dense.bias")
                ? t.toBuilder().setDataType(10).build()
                : t);
        assertRejected(half, "initializer 'encoder.layer.0.output.dense.bias' in tiny.onnx has data_type 10 (FLOAT16);"
                + " expected 1 (FLOAT)");
    }

    @Test
    void rawDataOfTheWrongSize() {
        ModelProto cut = TinyBertOnnx.mapInitializers(model, t -> t.getName().equals("embeddings.LayerNorm.weight")
                ? t.toBuilder().setRawData(ByteString.copyFrom(new byte[6])).build()
                : t);
        assertRejected(cut, "initializer 'embeddings.LayerNorm.weight' in tiny.onnx has 6 bytes of raw_data;"
                + " shape [4] of 1 (FLOAT) needs 16");
    }

    @Test
    void weightOfTheWrongShape() {
        ModelProto wrong = TinyBertOnnx.mapInitializers(model, t -> t.getName().equals("encoder.layer.1.output.LayerNorm.weight")
                ? TinyBertOnnx.floats(t.getName(), new dev.peft4j.core.io.HostTensor(new long[] {5}, new float[5]))
                : t);
        assertRejected(wrong, "'encoder.layer.1.output.LayerNorm.weight' in tiny.onnx has shape [5]; expected [4]");
    }

    @Test
    void matMulWeightOfTheWrongShapeNamesItsInitializer() {
        ModelProto wrong = TinyBertOnnx.mapInitializers(model, t -> t.getName().equals("onnx::MatMul_100")
                ? TinyBertOnnx.floats(t.getName(), new dev.peft4j.core.io.HostTensor(new long[] {4, 8}, new float[32]))
                : t);
        assertRejected(wrong, "'encoder.layer.0.attention.self.query.weight' in tiny.onnx has shape [8, 4]; expected"
                + " [4, 4] (MatMul initializer 'onnx::MatMul_100' transposed to (out, in))");
    }

    @Test
    void embeddingsOfTheWrongRank() {
        ModelProto wrong = TinyBertOnnx.mapInitializers(model, t -> t.getName().equals("embeddings.word_embeddings.weight")
                ? TinyBertOnnx.floats(t.getName(), new dev.peft4j.core.io.HostTensor(new long[] {44}, new float[44]))
                : t);
        assertRejected(wrong, "'embeddings.word_embeddings.weight' in tiny.onnx has shape [44]; expected"
                + " (vocab_size, hidden_size)");
    }

    @Test
    void reshapeThatDoesNotSplitTheHiddenSize() {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.constantReshapeTarget = true;
        ModelProto threeHeads = TinyBertOnnx.mapNodes(tiny.build(), node -> node.getName().equals("/encoder/layer.0/attention/self/q_shape_node")
                ? node.toBuilder().setAttribute(0, node.getAttribute(0).toBuilder()
                        .setT(TinyBertOnnx.int64("", new long[] {4}, 0, 0, 3, -1))).build()
                : node);
        assertRejected(threeHeads, "ONNX graph of tiny.onnx reshapes the output of 'encoder.layer.0.attention.self.query'"
                + " to [0, 0, 3, -1], which does not split hidden_size 4 into (heads, head_dim)");
    }

    @Test
    void duplicateInitializer() {
        TensorProto first = model.getGraph().getInitializer(1);
        ModelProto doubled = model.toBuilder().setGraph(model.getGraph().toBuilder().addInitializer(first)).build();
        assertRejected(doubled, "duplicate initializer '" + first.getName() + "' in tiny.onnx");
    }
}
