package dev.peft4j.cuda.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.peft4j.core.model.ScalarOps;
import dev.peft4j.cuda.DropoutMask;
import dev.peft4j.cuda.reference.LoraReference;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The float64 references the kernels are checked against agree with DJL (PyTorch) math: the LoRA
 * forward {@code (dropout(x) A^T) B^T * s} with its autograd gradients, and BGMV/SGMV as a sum of
 * per-adapter matmuls over row masks. Each element within {@code 1e-6 + 1e-5 * bound}, the bound
 * being the reference on absolute values.
 */
class LoraReferenceAgainstDjlTest {

    private static final int T = 13;
    private static final int K = 40;
    private static final int N = 24;
    private static final int R = 5;

    private final Random random = new Random(11);

    @Test
    void forwardAndBackwardMatchDjlAutograd() {
        float[] x = randoms(T * K);
        float[] a = randoms(R * K);
        float[] b = randoms(N * R);
        float[] dy = randoms(T * N);
        float scale = 1.75f;
        DropoutMask dropout = new DropoutMask(0.3, 5L, 123L);
        float[] mask = new float[T * K];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = dropout.factor(i);
        }
        try (NDManager manager = NDManager.newBaseManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray xs = manager.create(x, new Shape(T, K));
            NDArray as = manager.create(a, new Shape(R, K));
            NDArray bs = manager.create(b, new Shape(N, R));
            xs.setRequiresGradient(true);
            as.setRequiresGradient(true);
            bs.setRequiresGradient(true);
            NDArray u = ScalarOps.mul(xs.mul(manager.create(mask, new Shape(T, K))).matMul(as.transpose()), scale);
            NDArray y = u.matMul(bs.transpose());
            collector.backward(y.mul(manager.create(dy, new Shape(T, N))).sum());

            float[] uDjl = u.toFloatArray();
            assertClose(uDjl, LoraReference.shrink(x, a, T, K, R, scale, dropout),
                    LoraReference.shrink(LoraReference.abs(x), LoraReference.abs(a), T, K, R, scale, dropout));
            assertClose(y.toFloatArray(), LoraReference.expand(uDjl, b, T, N, R),
                    LoraReference.expand(LoraReference.abs(uDjl), LoraReference.abs(b), T, N, R));

            double[] du = LoraReference.projectGradient(dy, b, T, N, R);
            float[] duF = toFloats(du);
            float[] duAbs = toFloats(LoraReference.projectGradient(LoraReference.abs(dy), LoraReference.abs(b), T, N, R));
            assertClose(bs.getGradient().toFloatArray(), LoraReference.gradB(dy, uDjl, T, N, R),
                    LoraReference.gradB(LoraReference.abs(dy), LoraReference.abs(uDjl), T, N, R));
            assertClose(as.getGradient().toFloatArray(), LoraReference.gradA(x, duF, T, K, R, scale, dropout),
                    LoraReference.gradA(LoraReference.abs(x), duAbs, T, K, R, scale, dropout));
            assertClose(xs.getGradient().toFloatArray(), LoraReference.gradX(duF, a, T, K, R, scale, dropout),
                    LoraReference.gradX(duAbs, LoraReference.abs(a), T, K, R, scale, dropout));
            // a dropped element gets no gradient, as in torch.nn.Dropout
            float[] dx = xs.getGradient().toFloatArray();
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] == 0f) {
                    assertThat(dx[i]).isZero();
                }
            }
        }
    }

    @Test
    void bgmvAndSgmvMatchPerAdapterMatmuls() {
        int adapters = 3;
        float[] x = randoms(T * K);
        float[] aStack = randoms(adapters * R * K);
        float[] bStack = randoms(adapters * N * R);
        float[] scales = {0.5f, 2f, 1.25f};
        int[] segStarts = {0, 4, 4, 9, T};
        int[] segAdapters = {2, 0, -1, 1};
        int[] indices = LoraReference.rowIndices(segStarts, segAdapters);
        assertThat(indices).containsExactly(2, 2, 2, 2, -1, -1, -1, -1, -1, 1, 1, 1, 1);
        indices[5] = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray xs = manager.create(x, new Shape(T, K));
            NDArray u = manager.zeros(new Shape(T, R));
            NDArray y = manager.zeros(new Shape(T, N));
            NDArray aAll = manager.create(aStack, new Shape(adapters, R, K));
            NDArray bAll = manager.create(bStack, new Shape(adapters, N, R));
            for (int adapter = 0; adapter < adapters; adapter++) {
                float[] rows = new float[T];
                for (int t = 0; t < T; t++) {
                    rows[t] = indices[t] == adapter ? 1f : 0f;
                }
                NDArray select = manager.create(rows, new Shape(T, 1));
                NDArray ua = xs.matMul(aAll.get(adapter).transpose()).mul(scales[adapter]).mul(select);
                u = u.add(ua);
                y = y.add(ua.matMul(bAll.get(adapter).transpose()).mul(select));
            }
            float[] uDjl = u.toFloatArray();
            assertClose(uDjl, LoraReference.bgmvShrink(x, aStack, indices, scales, K, R),
                    LoraReference.bgmvShrink(LoraReference.abs(x), LoraReference.abs(aStack), indices, scales, K, R));
            assertClose(y.toFloatArray(), LoraReference.bgmvExpand(uDjl, bStack, indices, N, R),
                    LoraReference.bgmvExpand(LoraReference.abs(uDjl), LoraReference.abs(bStack), indices, N, R));
        }
    }

    private static void assertClose(float[] djl, double[] reference, double[] bound) {
        assertThat(djl).hasSize(reference.length);
        for (int i = 0; i < djl.length; i++) {
            assertThat(Math.abs(djl[i] - reference[i])).as("element %d: DJL %s, reference %s", i, djl[i], reference[i])
                    .isLessThanOrEqualTo(1e-6 + 1e-5 * bound[i]);
        }
    }

    private float[] randoms(int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        return values;
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
