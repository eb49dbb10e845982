package dev.peft4j.core.io.onnx;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.BertConfig;
import java.util.Map;

/**
 * A plain-Java BERT encoder forward pass (one unpadded sequence, fp32, double accumulators), written
 * from the HF {@code BertModel} definition, to check that imported weights and config reproduce the
 * original network: post-LayerNorm, scores / sqrt(head_dim), exact erf GELU.
 */
final class ReferenceBert {

    private final BertConfig config;
    private final Map<String, HostTensor> weights;

    ReferenceBert(BertConfig config, Map<String, HostTensor> weights) {
        this.config = config;
        this.weights = weights;
    }

    /**
     * @param ids token ids, one sequence
     * @return last hidden state, (seq, hidden)
     */
    float[][] forward(long[] ids) {
        int seq = ids.length;
        int hidden = config.hiddenSize();
        float[][] x = new float[seq][hidden];
        float[] word = w("embeddings.word_embeddings.weight");
        float[] position = w("embeddings.position_embeddings.weight");
        float[] type = w("embeddings.token_type_embeddings.weight");
        for (int t = 0; t < seq; t++) {
            for (int h = 0; h < hidden; h++) {
                x[t][h] = word[(int) ids[t] * hidden + h] + position[t * hidden + h] + type[h];
            }
        }
        x = layerNorm(x, "embeddings.LayerNorm");
        for (int layer = 0; layer < config.numHiddenLayers(); layer++) {
            String p = "encoder.layer." + layer + ".";
            float[][] attention = linear(attention(x, p + "attention.self."), p + "attention.output.dense");
            x = layerNorm(add(attention, x), p + "attention.output.LayerNorm");
            float[][] inner = gelu(linear(x, p + "intermediate.dense"));
            x = layerNorm(add(linear(inner, p + "output.dense"), x), p + "output.LayerNorm");
        }
        return x;
    }

    private float[][] attention(float[][] x, String prefix) {
        float[][] q = linear(x, prefix + "query");
        float[][] k = linear(x, prefix + "key");
        float[][] v = linear(x, prefix + "value");
        int seq = x.length;
        int heads = config.numAttentionHeads();
        int d = config.headSize();
        float[][] context = new float[seq][config.hiddenSize()];
        for (int head = 0; head < heads; head++) {
            int o = head * d;
            for (int i = 0; i < seq; i++) {
                double[] scores = new double[seq];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < seq; j++) {
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += q[i][o + c] * k[j][o + c];
                    }
                    scores[j] = dot / Math.sqrt(d);
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < seq; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int c = 0; c < d; c++) {
                    double value = 0;
                    for (int j = 0; j < seq; j++) {
                        value += scores[j] / sum * v[j][o + c];
                    }
                    context[i][o + c] = (float) value;
                }
            }
        }
        return context;
    }

    /** {@code x W^T + b} with W (out, in). */
    private float[][] linear(float[][] x, String module) {
        HostTensor weight = weights.get(module + ".weight");
        float[] bias = w(module + ".bias");
        int out = (int) weight.shape()[0];
        int in = (int) weight.shape()[1];
        float[] wv = weight.values();
        float[][] y = new float[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double sum = bias[o];
                for (int i = 0; i < in; i++) {
                    sum += x[t][i] * wv[o * in + i];
                }
                y[t][o] = (float) sum;
            }
        }
        return y;
    }

    private float[][] layerNorm(float[][] x, String module) {
        float[] gamma = w(module + ".weight");
        float[] beta = w(module + ".bias");
        float[][] y = new float[x.length][];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (float value : x[t]) {
                mean += value;
            }
            mean /= x[t].length;
            double variance = 0;
            for (float value : x[t]) {
                variance += (value - mean) * (value - mean);
            }
            variance /= x[t].length;
            double scale = 1 / Math.sqrt(variance + config.layerNormEps());
            y[t] = new float[x[t].length];
            for (int h = 0; h < x[t].length; h++) {
                y[t][h] = (float) ((x[t][h] - mean) * scale * gamma[h] + beta[h]);
            }
        }
        return y;
    }

    private static float[][] gelu(float[][] x) {
        for (float[] row : x) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) (0.5 * row[i] * (1 + erf(row[i] / Math.sqrt(2))));
            }
        }
        return x;
    }

    /** Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7. */
    static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double value = 1 - poly * Math.exp(-x * x);
        return x >= 0 ? value : -value;
    }

    private static float[][] add(float[][] a, float[][] b) {
        for (int t = 0; t < a.length; t++) {
            for (int h = 0; h < a[t].length; h++) {
                a[t][h] += b[t][h];
            }
        }
        return a;
    }

    private float[] w(String name) {
        return weights.get(name).values();
    }
}
