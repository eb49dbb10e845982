package dev.peft4j.lora;

import java.util.List;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * The per-module arithmetic of {@link LoraWeightedCombination}: the new {@code A (rank, in)} and
 * {@code B (out, rank)} of one module from the sources that adapt it, following HF PEFT's
 * {@code LoraModel.add_weighted_adapter} (PEFT 0.18). A result of a smaller rank than asked (a module
 * whose sources have a lower {@code rank_pattern} rank, or a module fewer sources adapt) is padded
 * with zero rows of {@code A} and zero columns of {@code B}, which leaves {@code B A} unchanged.
 */
final class LoraFactorCombiner {

    /**
     * The factors of one module.
     *
     * @param a {@code A (rank, in)}
     * @param b {@code B (out, rank)}
     */
    record Factors(RealMatrix a, RealMatrix b) {}

    private LoraFactorCombiner() {}

    /**
     * HF's {@code linear}: {@code A = sum_i sign(w_i s_i) sqrt(|w_i s_i|) A_i},
     * {@code B = sum_i sqrt(|w_i s_i|) B_i} (the sign on {@code A} only, so a negative weight
     * subtracts). {@code B A} then equals {@code (sum_i c_i B_i)(sum_j c'_j A_j)}, cross terms included.
     *
     * @throws IllegalArgumentException if the sources' ranks differ at this module
     */
    static Factors linear(String path, List<LoraModuleFactors> sources, int rank) {
        int r = sources.getFirst().rank();
        for (LoraModuleFactors source : sources) {
            if (source.rank() != r) {
                throw new IllegalArgumentException("combination_type 'linear' needs equal ranks at every module, but at '" + path
                        + "' " + ranks(sources) + "; use 'cat' or 'svd'");
            }
        }
        RealMatrix a = MatrixUtils.createRealMatrix(r, sources.getFirst().a().getColumnDimension());
        RealMatrix b = MatrixUtils.createRealMatrix(sources.getFirst().b().getRowDimension(), r);
        for (LoraModuleFactors source : sources) {
            double ws = source.weightedScaling();
            double root = Math.sqrt(Math.abs(ws));
            a = a.add(source.a().scalarMultiply(ws >= 0 ? root : -root));
            b = b.add(source.b().scalarMultiply(root));
        }
        return pad(new Factors(a, b), rank);
    }

    /**
     * HF's {@code cat}: {@code A} stacks {@code w_i s_i A_i} by rows, {@code B} places the
     * {@code B_i} side by side, so {@code B A = sum_i w_i s_i B_i A_i} exactly.
     */
    static Factors cat(List<LoraModuleFactors> sources, int rank) {
        int in = sources.getFirst().a().getColumnDimension();
        int out = sources.getFirst().b().getRowDimension();
        RealMatrix a = MatrixUtils.createRealMatrix(rank, in);
        RealMatrix b = MatrixUtils.createRealMatrix(out, rank);
        int row = 0;
        for (LoraModuleFactors source : sources) {
            a.setSubMatrix(source.a().scalarMultiply(source.weightedScaling()).getData(), row, 0);
            b.setSubMatrix(source.b().getData(), 0, row);
            row += source.rank();
        }
        return new Factors(a, b);
    }

    /**
     * {@code svd}: {@code sum_i w_i s_i B_i A_i} truncated to {@code rank} ({@link LoraTruncatedSvd}).
     */
    static Factors svd(List<LoraModuleFactors> sources, int rank, Double clamp) {
        RealMatrix delta = sources.getFirst().weightedDelta();
        for (LoraModuleFactors source : sources.subList(1, sources.size())) {
            delta = delta.add(source.weightedDelta());
        }
        return pad(LoraTruncatedSvd.of(delta, rank, clamp), rank);
    }

    /** Pads {@code A} with zero rows and {@code B} with zero columns up to {@code rank}. */
    static Factors pad(Factors factors, int rank) {
        int r = factors.a().getRowDimension();
        if (r == rank) {
            return factors;
        }
        RealMatrix a = MatrixUtils.createRealMatrix(rank, factors.a().getColumnDimension());
        RealMatrix b = MatrixUtils.createRealMatrix(factors.b().getRowDimension(), rank);
        if (r > 0) {
            a.setSubMatrix(factors.a().getData(), 0, 0);
            b.setSubMatrix(factors.b().getData(), 0, 0);
        }
        return new Factors(a, b);
    }

    private static String ranks(List<LoraModuleFactors> sources) {
        StringBuilder out = new StringBuilder();
        for (LoraModuleFactors source : sources) {
            out.append(out.isEmpty() ? "" : ", ").append("adapter '").append(source.adapter()).append("' has r ")
                    .append(source.rank());
        }
        return out.toString();
    }
}
