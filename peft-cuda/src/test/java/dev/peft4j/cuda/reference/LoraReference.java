package dev.peft4j.cuda.reference;

import dev.peft4j.cuda.DropoutMask;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;
import java.util.stream.IntStream;

/**
 * Plain-Java float64 references of every peft-cuda kernel, with the kernels' row-major layouts:
 * {@code x (T, K)}, {@code A (r, K)}, {@code u (T, r)}, {@code B (N, r)}, {@code y, dy (T, N)},
 * stacked adapters {@code A (adapters, r, K)}, {@code B (adapters, N, r)}. Outputs are the exact
 * sums (in double) of the float inputs given; accumulating kernels return only the increment.
 * Called with the absolute values of the inputs they give the error scale of the check
 * ({@code sum_k |x_ik| |A_jk|}). Checked against DJL in {@code LoraReferenceAgainstDjlTest}.
 */
public final class LoraReference {

    private LoraReference() {
    }

    /** @return {@code u = s * dropout(x) A^T}, (T, r) */
    public static double[] shrink(float[] x, float[] a, int tokens, int k, int r, double scale, DropoutMask dropout) {
        double[] u = new double[tokens * r];
        rows(tokens, t -> {
            double[] sums = new double[r];
            for (int i = 0; i < k; i++) {
                long index = (long) t * k + i;
                double xv = (double) x[(int) index] * dropout.factor(index);
                for (int j = 0; j < r; j++) {
                    sums[j] += xv * a[j * k + i];
                }
            }
            for (int j = 0; j < r; j++) {
                u[t * r + j] = scale * sums[j];
            }
        });
        return u;
    }

    /** @return the increment {@code u B^T} of y, (T, N) */
    public static double[] expand(float[] u, float[] b, int tokens, int n, int r) {
        double[] y = new double[tokens * n];
        rows(tokens, t -> {
            for (int o = 0; o < n; o++) {
                double sum = 0;
                for (int j = 0; j < r; j++) {
                    sum += (double) u[t * r + j] * b[o * r + j];
                }
                y[t * n + o] = sum;
            }
        });
        return y;
    }

    /** @return {@code du = dy B}, (T, r) */
    public static double[] projectGradient(float[] dy, float[] b, int tokens, int n, int r) {
        double[] du = new double[tokens * r];
        rows(tokens, t -> {
            double[] sums = new double[r];
            for (int o = 0; o < n; o++) {
                double g = dy[t * n + o];
                for (int j = 0; j < r; j++) {
                    sums[j] += g * b[o * r + j];
                }
            }
            System.arraycopy(sums, 0, du, t * r, r);
        });
        return du;
    }

    /** @return the increment {@code dy^T u} of dB, (N, r) */
    public static double[] gradB(float[] dy, float[] u, int tokens, int n, int r) {
        return overTokenChunks(tokens, n * r, (grad, t) -> {
            for (int o = 0; o < n; o++) {
                double g = dy[t * n + o];
                for (int j = 0; j < r; j++) {
                    grad[o * r + j] += g * u[t * r + j];
                }
            }
        });
    }

    /** @return the increment {@code s * du^T dropout(x)} of dA, (r, K) */
    public static double[] gradA(float[] x, float[] du, int tokens, int k, int r, double scale, DropoutMask dropout) {
        return overTokenChunks(tokens, r * k, (grad, t) -> {
            for (int i = 0; i < k; i++) {
                long index = (long) t * k + i;
                double xv = (double) x[(int) index] * dropout.factor(index);
                for (int j = 0; j < r; j++) {
                    grad[j * k + i] += scale * du[t * r + j] * xv;
                }
            }
        });
    }

    /** @return the increment {@code s * mask * (du A)} of dx, (T, K) */
    public static double[] gradX(float[] du, float[] a, int tokens, int k, int r, double scale, DropoutMask dropout) {
        double[] grad = new double[tokens * k];
        rows(tokens, t -> {
            for (int i = 0; i < k; i++) {
                double sum = 0;
                for (int j = 0; j < r; j++) {
                    sum += (double) du[t * r + j] * a[j * k + i];
                }
                long index = (long) t * k + i;
                grad[(int) index] = scale * dropout.factor(index) * sum;
            }
        });
        return grad;
    }

    /** @return BGMV shrink: row t is {@code scales[a] * x[t] A[a]^T} with {@code a = indices[t]}, zero for -1 */
    public static double[] bgmvShrink(float[] x, float[] aStack, int[] indices, float[] scales, int k, int r) {
        double[] u = new double[indices.length * r];
        rows(indices.length, t -> {
            int adapter = indices[t];
            if (adapter < 0) {
                return;
            }
            for (int j = 0; j < r; j++) {
                double sum = 0;
                for (int i = 0; i < k; i++) {
                    sum += (double) x[t * k + i] * aStack[(adapter * r + j) * k + i];
                }
                u[t * r + j] = scales[adapter] * sum;
            }
        });
        return u;
    }

    /** @return BGMV expand's increment: row t is {@code u[t] B[a]^T}, zero for -1 */
    public static double[] bgmvExpand(float[] u, float[] bStack, int[] indices, int n, int r) {
        double[] y = new double[indices.length * n];
        rows(indices.length, t -> {
            int adapter = indices[t];
            if (adapter < 0) {
                return;
            }
            for (int o = 0; o < n; o++) {
                double sum = 0;
                for (int j = 0; j < r; j++) {
                    sum += (double) u[t * r + j] * bStack[(adapter * n + o) * r + j];
                }
                y[t * n + o] = sum;
            }
        });
        return y;
    }

    /**
     * @param segStarts segment boundaries
     * @param segAdapters each segment's adapter
     * @return the per-row adapter indices these segments stand for (SGMV equals BGMV on them)
     */
    public static int[] rowIndices(int[] segStarts, int[] segAdapters) {
        int[] indices = new int[segStarts[segStarts.length - 1]];
        for (int s = 0; s < segAdapters.length; s++) {
            for (int t = segStarts[s]; t < segStarts[s + 1]; t++) {
                indices[t] = segAdapters[s];
            }
        }
        return indices;
    }

    /** Runs {@code row} for every token, in parallel (each call writes only its own row). */
    private static void rows(int tokens, IntConsumer row) {
        IntStream.range(0, tokens).parallel().forEach(row);
    }

    /**
     * Sums per-token contributions to one output of {@code size} elements: tokens are split into
     * chunks summed in parallel into their own partial outputs, which are then added.
     */
    private static double[] overTokenChunks(int tokens, int size, ObjIntConsumer<double[]> token) {
        int chunks = Math.max(1, Math.min(tokens, Runtime.getRuntime().availableProcessors()));
        double[][] partials = new double[chunks][];
        IntStream.range(0, chunks).parallel().forEach(c -> {
            double[] partial = new double[size];
            for (int t = (int) ((long) tokens * c / chunks); t < (int) ((long) tokens * (c + 1) / chunks); t++) {
                token.accept(partial, t);
            }
            partials[c] = partial;
        });
        double[] sum = new double[size];
        for (double[] partial : partials) {
            for (int i = 0; i < size; i++) {
                sum[i] += partial[i];
            }
        }
        return sum;
    }

    /** @return the absolute values, for error bounds */
    public static float[] abs(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.abs(values[i]);
        }
        return out;
    }
}
