package dev.peft4j.core.io.onnx;

import com.google.protobuf.ByteString;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.onnx.proto.AttributeProto;
import dev.peft4j.core.io.onnx.proto.GraphProto;
import dev.peft4j.core.io.onnx.proto.ModelProto;
import dev.peft4j.core.io.onnx.proto.NodeProto;
import dev.peft4j.core.io.onnx.proto.TensorProto;
import dev.peft4j.core.model.BertConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Builds a tiny BERT graph the way PyTorch's ONNX export lays it out (unnamed {@code onnx::MatMul_N}
 * weights stored (in, out), {@code Add(bias, MatMul)}, decomposed LayerNorm, a Concat-built Reshape
 * to (batch, seq, heads, head_dim), scores divided by sqrt(head_dim), erf GELU), with switches for
 * the variants the importer also accepts. It records the HF-layout weights it wrote, so a test can
 * compare an import with them exactly.
 */
final class TinyBertOnnx {

    static final int VOCAB = 11;
    static final int HIDDEN = 4;
    static final int HEADS = 2;
    static final int INTERMEDIATE = 8;
    static final int POSITIONS = 6;
    static final int TYPES = 2;

    int layers = 2;
    float epsilon = 1e-12f;
    /** LayerNormalization nodes instead of the decomposition. */
    boolean layerNormalizationOp;
    /** Reshape targets as one constant {@code [0, 0, heads, head_dim]} instead of a Concat. */
    boolean constantReshapeTarget;
    /** Weights as named (out, in) initializers read through Transpose instead of unnamed (in, out) ones. */
    boolean transposedWeights;
    /** Adds a pooler (MatMul + Add with {@code pooler.dense.bias}) after the encoder. */
    boolean pooler;

    private final Random random = new Random(42);
    private final Map<String, HostTensor> weights = new LinkedHashMap<>();
    private GraphProto.Builder graph;
    private int counter;

    /** @return the config the importer should derive */
    BertConfig config() {
        return new BertConfig("bert", VOCAB, HIDDEN, layers, HEADS, INTERMEDIATE, "gelu", 0.1, 0.1, POSITIONS, TYPES,
                Double.parseDouble(Float.toString(epsilon)), 0, List.of("BertModel"));
    }

    /** @return the HF-layout weights of the last {@link #build()}, in HF order */
    Map<String, HostTensor> weights() {
        return weights;
    }

    ModelProto build() {
        weights.clear();
        counter = 100;
        graph = GraphProto.newBuilder();
        graph.addInitializer(int64("embeddings.position_ids", new long[] {1, POSITIONS}, 0, 1, 2, 3, 4, 5));
        String x = embeddings();
        for (int layer = 0; layer < layers; layer++) {
            x = layer(x, "encoder.layer." + layer + ".", "/encoder/layer." + layer + "/");
        }
        if (pooler) {
            linear(x, "pooler.dense", HIDDEN, HIDDEN, "/pooler/dense/");
        }
        return ModelProto.newBuilder().setIrVersion(8).setGraph(graph).build();
    }

    private String embeddings() {
        param("embeddings.word_embeddings.weight", VOCAB, HIDDEN);
        param("embeddings.position_embeddings.weight", POSITIONS, HIDDEN);
        param("embeddings.token_type_embeddings.weight", TYPES, HIDDEN);
        node("Gather", "/embeddings/word", "embeddings.word_embeddings.weight", "input_ids");
        node("Gather", "/embeddings/type", "embeddings.token_type_embeddings.weight", "token_type_ids");
        node("Add", "/embeddings/Add", "/embeddings/word", "/embeddings/type");
        node("Gather", "/embeddings/position", "embeddings.position_embeddings.weight", "position_slice");
        node("Add", "/embeddings/Add_1", "/embeddings/Add", "/embeddings/position");
        return layerNorm("/embeddings/Add_1", "embeddings.LayerNorm", "/embeddings/LayerNorm/");
    }

    private String layer(String x, String prefix, String path) {
        String q = linear(x, prefix + "attention.self.query", HIDDEN, HIDDEN, path + "attention/self/query/");
        String k = linear(x, prefix + "attention.self.key", HIDDEN, HIDDEN, path + "attention/self/key/");
        String v = linear(x, prefix + "attention.self.value", HIDDEN, HIDDEN, path + "attention/self/value/");
        String self = path + "attention/self/";
        String qh = splitHeads(q, self + "q");
        String kh = splitHeads(k, self + "k");
        String vh = splitHeads(v, self + "v");
        node("Transpose", self + "kT", List.of(kh), perm(0, 2, 3, 1));
        node("MatMul", self + "scores", qh, self + "kT");
        constant(self + "sqrt_d", floats(new long[0], (float) Math.sqrt(HIDDEN / HEADS)));
        node("Div", self + "scaled", self + "scores", self + "sqrt_d");
        node("Softmax", self + "probs", self + "scaled");
        node("MatMul", self + "context", self + "probs", vh);
        constant(self + "merged_shape", int64("", new long[] {3}, 0, 0, HIDDEN));
        node("Reshape", self + "merged", self + "context", self + "merged_shape");
        String out = linear(self + "merged", prefix + "attention.output.dense", HIDDEN, HIDDEN,
                path + "attention/output/dense/");
        node("Add", path + "attention/output/residual", out, x);
        String x1 = layerNorm(path + "attention/output/residual", prefix + "attention.output.LayerNorm",
                path + "attention/output/LayerNorm/");
        String inter = linear(x1, prefix + "intermediate.dense", INTERMEDIATE, HIDDEN, path + "intermediate/dense/");
        String act = gelu(inter, path + "intermediate/act/");
        String down = linear(act, prefix + "output.dense", HIDDEN, INTERMEDIATE, path + "output/dense/");
        node("Add", path + "output/residual", down, x1);
        return layerNorm(path + "output/residual", prefix + "output.LayerNorm", path + "output/LayerNorm/");
    }

    /** {@code Add(bias, MatMul(x, W^T))} with W (out, in) recorded as the HF weight. */
    private String linear(String x, String module, int out, int in, String path) {
        HostTensor weight = random(new long[] {out, in});
        weights.put(module + ".weight", weight);
        param(module + ".bias", out);
        String operand;
        if (transposedWeights) {
            graph.addInitializer(floats(module + ".weight", weight));
            operand = path + "weight_T";
            node("Transpose", operand, List.of(module + ".weight"), perm(1, 0));
        } else {
            operand = "onnx::MatMul_" + counter++;
            graph.addInitializer(floats(operand, weight.transpose2d()));
        }
        node("MatMul", path + "MatMul", x, operand);
        node("Add", path + "Add", module + ".bias", path + "MatMul");
        return path + "Add";
    }

    private String splitHeads(String x, String name) {
        String target = name + "_shape";
        if (constantReshapeTarget) {
            constant(target, int64("", new long[] {4}, 0, 0, HEADS, HIDDEN / HEADS));
        } else {
            node("Shape", name + "_dims", x);
            constant(name + "_heads", int64("", new long[] {1}, HEADS));
            constant(name + "_head_dim", int64("", new long[] {1}, HIDDEN / HEADS));
            node("Concat", target, List.of(name + "_dims", name + "_dims", name + "_heads", name + "_head_dim"),
                    AttributeProto.newBuilder().setName("axis").setI(0).build());
        }
        node("Reshape", name + "_split", x, target);
        node("Transpose", name + "_heads_first", List.of(name + "_split"), perm(0, 2, 1, 3));
        return name + "_heads_first";
    }

    private String layerNorm(String x, String module, String path) {
        param(module + ".weight", HIDDEN);
        param(module + ".bias", HIDDEN);
        if (layerNormalizationOp) {
            node("LayerNormalization", path + "out", List.of(x, module + ".weight", module + ".bias"),
                    AttributeProto.newBuilder().setName("epsilon").setF(epsilon).build());
            return path + "out";
        }
        node("ReduceMean", path + "mean", x);
        node("Sub", path + "centered", x, path + "mean");
        constant(path + "two", floats(new long[0], 2f));
        node("Pow", path + "squared", path + "centered", path + "two");
        node("ReduceMean", path + "variance", path + "squared");
        constant(path + "eps", floats(new long[0], epsilon));
        node("Add", path + "variance_eps", path + "variance", path + "eps");
        node("Sqrt", path + "std", path + "variance_eps");
        node("Div", path + "normalized", path + "centered", path + "std");
        node("Mul", path + "scaled", path + "normalized", module + ".weight");
        node("Add", path + "out", path + "scaled", module + ".bias");
        return path + "out";
    }

    private String gelu(String x, String path) {
        constant(path + "sqrt2", floats(new long[0], (float) Math.sqrt(2)));
        node("Div", path + "div", x, path + "sqrt2");
        node("Erf", path + "erf", path + "div");
        constant(path + "one", floats(new long[0], 1f));
        node("Add", path + "one_plus", path + "erf", path + "one");
        node("Mul", path + "mul", x, path + "one_plus");
        constant(path + "half", floats(new long[0], 0.5f));
        node("Mul", path + "out", path + "mul", path + "half");
        return path + "out";
    }

    private void param(String name, long... shape) {
        HostTensor tensor = random(shape);
        weights.put(name, tensor);
        graph.addInitializer(floats(name, tensor));
    }

    private HostTensor random(long[] shape) {
        float[] values = new float[(int) HostTensor.elementCount(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() - 0.5f;
        }
        return new HostTensor(shape, values);
    }

    private void node(String op, String output, String... inputs) {
        node(op, output, List.of(inputs));
    }

    private void node(String op, String output, List<String> inputs, AttributeProto... attributes) {
        graph.addNode(NodeProto.newBuilder().setOpType(op).setName(output + "_node").addAllInput(inputs)
                .addOutput(output).addAllAttribute(Arrays.asList(attributes)));
    }

    private void constant(String output, TensorProto value) {
        node("Constant", output, List.of(), AttributeProto.newBuilder().setName("value").setT(value).build());
    }

    private static AttributeProto perm(long... axes) {
        AttributeProto.Builder perm = AttributeProto.newBuilder().setName("perm");
        for (long axis : axes) {
            perm.addInts(axis);
        }
        return perm.build();
    }

    static TensorProto floats(String name, HostTensor tensor) {
        ByteBuffer raw = ByteBuffer.allocate(tensor.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(tensor.values());
        TensorProto.Builder proto = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(raw));
        Arrays.stream(tensor.shape()).forEach(proto::addDims);
        return proto.build();
    }

    static TensorProto floats(long[] shape, float... values) {
        return floats("", new HostTensor(shape, values));
    }

    static TensorProto int64(String name, long[] shape, long... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        TensorProto.Builder proto = TensorProto.newBuilder().setName(name).setDataType(7).setRawData(ByteString.copyFrom(raw));
        Arrays.stream(shape).forEach(proto::addDims);
        return proto.build();
    }

    // ---- mutations of a built model, for the rejection tests ----

    static ModelProto withoutNodes(ModelProto model, Predicate<NodeProto> remove) {
        GraphProto.Builder graph = model.getGraph().toBuilder().clearNode();
        model.getGraph().getNodeList().stream().filter(remove.negate()).forEach(graph::addNode);
        return model.toBuilder().setGraph(graph).build();
    }

    static ModelProto withoutInitializer(ModelProto model, String name) {
        GraphProto.Builder graph = model.getGraph().toBuilder().clearInitializer();
        model.getGraph().getInitializerList().stream().filter(t -> !t.getName().equals(name)).forEach(graph::addInitializer);
        return model.toBuilder().setGraph(graph).build();
    }

    static ModelProto mapInitializers(ModelProto model, UnaryOperator<TensorProto> change) {
        GraphProto.Builder graph = model.getGraph().toBuilder().clearInitializer();
        model.getGraph().getInitializerList().stream().map(change).forEach(graph::addInitializer);
        return model.toBuilder().setGraph(graph).build();
    }

    static ModelProto mapNodes(ModelProto model, UnaryOperator<NodeProto> change) {
        GraphProto.Builder graph = model.getGraph().toBuilder().clearNode();
        model.getGraph().getNodeList().stream().map(change).forEach(graph::addNode);
        return model.toBuilder().setGraph(graph).build();
    }
}
