package dev.peft4j.lora;

import java.util.Arrays;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * The rank-{@code r} factorisation of a weight update by truncated SVD, as HF PEFT's
 * {@code _svd_generalized_task_arithmetic_weighted_adapter} (after kohya-ss' {@code svd_merge_lora}):
 * {@code delta (out, in) = U S Vh}, {@code B = U[:, :r] diag(S[:r])}, {@code A = Vh[:r, :]}. By the
 * Eckart-Young theorem {@code B A} is the best rank-{@code r} approximation of {@code delta} in the
 * Frobenius norm, with error {@code sqrt(sum of the dropped S_k^2)}. The SVD is Apache Commons
 * Math's ({@code SingularValueDecomposition}, JAMA's Golub-Kahan-Reinsch algorithm), in double precision.
 */
final class LoraTruncatedSvd {

    private LoraTruncatedSvd() {}

    /**
     * @param delta the update {@code (out, in)}
     * @param rank the rank {@code r} wanted; at most {@code min(out, in)} components exist, so the
     *     factors have {@code min(r, out, in)} rows / columns
     * @param clamp HF's {@code svd_clamp}: the quantile {@code q} in {@code [0, 1]} of all entries of
     *     {@code B} and {@code A} (PyTorch's {@code torch.quantile}, linear interpolation) above which
     *     entries are clipped to {@code [-hi, hi]}; {@code null} for none
     * @return {@code A (k, in)} and {@code B (out, k)}
     */
    static LoraFactorCombiner.Factors of(RealMatrix delta, int rank, Double clamp) {
        SingularValueDecomposition svd = new SingularValueDecomposition(delta);
        int k = Math.min(rank, svd.getSingularValues().length);
        double[] sigma = svd.getSingularValues();
        RealMatrix u = svd.getU();
        RealMatrix vt = svd.getVT();
        RealMatrix b = MatrixUtils.createRealMatrix(delta.getRowDimension(), k);
        RealMatrix a = MatrixUtils.createRealMatrix(k, delta.getColumnDimension());
        for (int j = 0; j < k; j++) {
            b.setColumnVector(j, u.getColumnVector(j).mapMultiply(sigma[j]));
            a.setRowVector(j, vt.getRowVector(j));
        }
        if (clamp != null && k > 0) {
            double hi = quantile(b, a, clamp);
            clip(b, hi);
            clip(a, hi);
        }
        return new LoraFactorCombiner.Factors(a, b);
    }

    /** {@code torch.quantile(cat(B.flatten(), A.flatten()), q)} with linear interpolation. */
    static double quantile(RealMatrix b, RealMatrix a, double q) {
        double[] values = new double[b.getRowDimension() * b.getColumnDimension() + a.getRowDimension() * a.getColumnDimension()];
        int i = 0;
        for (double[] row : b.getData()) {
            for (double value : row) {
                values[i++] = value;
            }
        }
        for (double[] row : a.getData()) {
            for (double value : row) {
                values[i++] = value;
            }
        }
        Arrays.sort(values);
        double position = q * (values.length - 1);
        int low = (int) Math.floor(position);
        int high = (int) Math.ceil(position);
        return values[low] + (values[high] - values[low]) * (position - low);
    }

    private static void clip(RealMatrix matrix, double hi) {
        matrix.walkInOptimizedOrder(new org.apache.commons.math3.linear.DefaultRealMatrixChangingVisitor() {
            @Override
            public double visit(int row, int column, double value) {
                return Math.max(-hi, Math.min(hi, value));
            }
        });
    }
}
