package dev.peft4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.peft4j.core.io.BundledModel;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our DJL encoder with weights imported from the ONNX file against ONNX Runtime running that same
 * file: mean-pooled, L2-normalised embeddings of real sentences in one padded batch.
 */
class OnnxRuntimeParityTest {

    /** Twelve real sentences of different lengths, so the batch is padded. */
    static final List<String> SENTENCES = List.of(
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "The girl is carrying a baby.",
            "A man is riding a horse.",
            "A woman is playing violin.",
            "Two men pushed carts through the woods.",
            "A man is riding a white horse on an enclosed ground.",
            "A monkey is playing drums.",
            "Someone in a gorilla costume is playing a set of drums.",
            "The stock market fell sharply today after the central bank raised interest rates again.",
            "it's a charming and often affecting journey.",
            "Unpredictable, irreverent and fiercely funny, the film never settles for the obvious joke.");

    static final double PARITY_TOLERANCE = 1e-4;
    static final double PADDING_TOLERANCE = 1e-5;

    @ParameterizedTest
    @EnumSource(BundledModel.class)
    void embeddingsMatchOnnxRuntimeAndPaddingChangesNothing(BundledModel bundled) throws Exception {
        try (NDManager manager = NDManager.newBaseManager();
                TransformerModel model = TransformerModel.pretrainedBert(bundled.importWeights(), TaskType.FEATURE_EXTRACTION, 0, manager);
                SentenceTokenizer tokenizer = bundled.tokenizer(128)) {
            SentenceEncoder encoder = new SentenceEncoder(model, tokenizer);
            TokenBatch batch = tokenizer.encode(SENTENCES);
            assertThat(batch.realTokens()).as("the batch is padded").isLessThan((long) batch.batchSize() * batch.sequenceLength());

            float[][] ours = encoder.embed(SENTENCES);
            float[][] reference = onnxRuntimeEmbeddings(bundled, batch);
            double parity = maxAbsDifference(ours, reference);
            System.out.printf("%s: max |peft4j - onnxruntime| = %.3g over %d sentences x %d%n",
                    bundled.modelName(), parity, ours.length, ours[0].length);
            assertThat(parity).as("max abs difference to ONNX Runtime").isLessThanOrEqualTo(PARITY_TOLERANCE);

            double padding = 0;
            for (int i = 0; i < SENTENCES.size(); i++) {
                float[][] alone = encoder.embed(List.of(SENTENCES.get(i)));
                padding = Math.max(padding, maxAbsDifference(new float[][] {ours[i]}, alone));
            }
            System.out.printf("%s: max |padded batch - alone| = %.3g%n", bundled.modelName(), padding);
            assertThat(padding).as("padded batch vs each sentence alone").isLessThanOrEqualTo(PADDING_TOLERANCE);
        }
    }

    private static float[][] onnxRuntimeEmbeddings(BundledModel bundled, TokenBatch batch) throws Exception {
        byte[] bytes;
        try (InputStream in = bundled.open(bundled.onnxResource())) {
            bytes = in.readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(bytes, new OrtSession.SessionOptions());
                OnnxTensor ids = OnnxTensor.createTensor(env, batch.inputIds());
                OnnxTensor mask = OnnxTensor.createTensor(env, batch.attentionMask());
                OnnxTensor types = OnnxTensor.createTensor(env, batch.tokenTypeIds());
                OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
            float[][][] hidden = (float[][][]) result.get(0).getValue();
            float[][] out = new float[hidden.length][];
            for (int b = 0; b < hidden.length; b++) {
                out[b] = normalizedMean(hidden[b], batch.attentionMask()[b]);
            }
            return out;
        }
    }

    /** sentence-transformers' pooling, computed independently of our DJL code, in double. */
    private static float[] normalizedMean(float[][] tokens, long[] mask) {
        double[] sum = new double[tokens[0].length];
        long count = 0;
        for (int t = 0; t < tokens.length; t++) {
            if (mask[t] == 1) {
                count++;
                for (int h = 0; h < sum.length; h++) {
                    sum[h] += tokens[t][h];
                }
            }
        }
        double norm = 0;
        for (int h = 0; h < sum.length; h++) {
            sum[h] /= count;
            norm += sum[h] * sum[h];
        }
        float[] out = new float[sum.length];
        for (int h = 0; h < sum.length; h++) {
            out[h] = (float) (sum[h] / Math.sqrt(norm));
        }
        return out;
    }

    private static double maxAbsDifference(float[][] a, float[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }
}
