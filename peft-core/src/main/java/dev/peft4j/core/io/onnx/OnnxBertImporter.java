package dev.peft4j.core.io.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.onnx.proto.ModelProto;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports the weights and hyper-parameters of a BERT-family encoder (post-LayerNorm BERT, e.g.
 * all-MiniLM-L6-v2, bge-small-en-v1.5) from a PyTorch-exported ONNX file, under HF
 * {@code BertModel} state-dict names with linear weights in HF's {@code (out, in)} layout.
 *
 * <p>Only the graph's initializers and a few graph patterns are read:
 * linear weights are named by tracing each MatMul to the Add with the {@code <module>.bias}
 * initializer and transposed from ONNX's {@code (in, out)}; sizes come from weight shapes;
 * {@code num_attention_heads} from the per-head Reshape (or the {@code 1/sqrt(head_dim)} score
 * scale); {@code layer_norm_eps} from the LayerNorm decomposition (or {@code LayerNormalization}'s
 * attribute). Tensors must be FLOAT (1) (INT64 (7) for shape constants), stored inline in
 * {@code raw_data} (little-endian) or {@code float_data}/{@code int64_data}; external data is
 * rejected. Files up to protobuf's 2 GiB message limit are read; a 133 MB file parses in well
 * under a second and needs about its own size again in heap for the decoded fp32 tensors.
 *
 * <p>Errors: a missing file is a {@link FileNotFoundException} {@code model file not found: <path>};
 * everything wrong inside the file is one {@link ModelFormatException} naming the file and what
 * was expected, e.g. {@code not an ONNX model: <file>: <protobuf reason>}, {@code missing
 * initializer 'embeddings.word_embeddings.weight' in <file>}, {@code ONNX graph of <file> has no
 * MatMul feeding an Add with bias 'encoder.layer.0.attention.self.query.bias'}.
 */
public final class OnnxBertImporter {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxBertImporter.class);

    private OnnxBertImporter() {}

    /**
     * Reads an ONNX file, memory-mapped (the raw tensor bytes are not copied to the heap).
     *
     * @param file the {@code .onnx} file
     * @return the config and weights
     * @throws FileNotFoundException {@code model file not found: <file>}
     * @throws ModelFormatException if the file is not an ONNX model or not a BERT graph peft4j reads
     * @throws IOException if reading fails
     */
    public static ImportedBert read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new FileNotFoundException("model file not found: " + file);
        }
        String source = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException("not an ONNX model: " + source + ": not a regular file");
        }
        long start = System.nanoTime();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                throw new ModelFormatException("not an ONNX model: " + source + ": " + size
                        + " bytes, over protobuf's 2 GiB message limit (such models keep their weights in"
                        + " external data, which peft4j does not read)");
            }
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            CodedInputStream input = CodedInputStream.newInstance(mapped);
            input.enableAliasing(true);
            return importModel(parse(input, source), source, start);
        }
    }

    /**
     * Reads an ONNX model from a stream (e.g. a classpath resource); the stream is read to its end
     * but not closed.
     *
     * @param in the model bytes
     * @param source a name for the model in messages, e.g. the resource name
     * @return the config and weights
     * @throws ModelFormatException if the bytes are not an ONNX model or not a BERT graph peft4j reads
     * @throws IOException if reading the stream fails
     */
    public static ImportedBert read(InputStream in, String source) throws IOException {
        long start = System.nanoTime();
        CodedInputStream input = CodedInputStream.newInstance(in);
        input.setSizeLimit(Integer.MAX_VALUE);
        return importModel(parse(input, source), source, start);
    }

    private static ModelProto parse(CodedInputStream input, String source) throws IOException {
        try {
            return ModelProto.parseFrom(input);
        } catch (InvalidProtocolBufferException e) {
            IOException underlying = e.unwrapIOException();
            if (underlying != e) {
                throw underlying;
            }
            throw new ModelFormatException("not an ONNX model: " + source + ": " + e.getMessage(), e);
        }
    }

    private static ImportedBert importModel(ModelProto model, String source, long start) throws ModelFormatException {
        if (!model.hasGraph()) {
            throw new ModelFormatException("not an ONNX model: " + source + ": it has no graph (ModelProto field 7)");
        }
        ImportedBert imported = BertGraphReader.read(new OnnxGraphIndex(model.getGraph(), source));
        if (LOG.isDebugEnabled()) {
            LOG.debug("imported {} tensors ({} layers) from {} in {} ms; skipped initializers {}",
                    imported.weights().size(), imported.config().numHiddenLayers(), source,
                    (System.nanoTime() - start) / 1_000_000, imported.skippedInitializers());
        }
        return imported;
    }
}
