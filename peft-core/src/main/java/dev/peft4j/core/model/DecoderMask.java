package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The positions and the additive causal mask of one decoder forward pass, numbered from the
 * attention mask as HF's {@code generate} numbers them, so a left- or right-padded row computes
 * what the same sequence computes alone.
 *
 * <p>The keys a query sees are, in order: the {@code P} virtual keys of prefix tuning (always
 * visible), the {@code past} cached tokens, then the {@code q = V + seq} tokens of this call
 * ({@code V} soft-prompt tokens of prompt tuning, first call only). A query at absolute index
 * {@code past + i} sees key {@code j} iff {@code j <= past + i} and key {@code j} is a real token.
 * Positions: {@code P + (real tokens before it, past and virtual tokens included)} for a real token,
 * 0 for padding.
 *
 * @param positions {@code (batch, q)} int64
 * @param additive {@code (batch, 1, q, P + past + q)} fp32: 0 where attended, the lowest fp32
 *     value elsewhere (as HF transformers)
 * @param newMask the mask of this call's {@code q} tokens {@code (batch, q)} int64, to append to a cache
 */
record DecoderMask(NDArray positions, NDArray additive, NDArray newMask) {

    /**
     * @param attentionMask this call's mask {@code (batch, seq)} int64, 1 real, 0 padding
     * @param virtualTokens {@code V}, soft-prompt tokens prepended in this call
     * @param prefixLength {@code P}, prefix tuning's virtual keys
     * @param pastMask the cached tokens' mask {@code (batch, past)}, or {@code null}
     * @return positions and masks
     */
    static DecoderMask of(NDArray attentionMask, int virtualTokens, int prefixLength, NDArray pastMask) {
        NDManager manager = attentionMask.getManager();
        long batch = attentionMask.getShape().get(0);
        NDArray mask = attentionMask.toType(DataType.INT64, false);
        if (virtualTokens > 0) {
            mask = manager.ones(new Shape(batch, virtualTokens), DataType.INT64).concat(mask, 1);
        }
        long queries = mask.getShape().get(1);
        long past = pastMask == null ? 0 : pastMask.getShape().get(1);
        NDArray full = pastMask == null ? mask : pastMask.toType(DataType.INT64, false).concat(mask, 1);
        NDArray before = full.cumSum(1).get(":, " + past + ":");
        NDArray positions = before.add(prefixLength - 1L).mul(mask);
        NDArray queryIndex = manager.arange(past, past + queries, 1L, DataType.INT64).reshape(queries, 1);
        NDArray keyIndex = manager.arange(0L, past + queries, 1L, DataType.INT64).reshape(1, past + queries);
        NDArray causal = keyIndex.lte(queryIndex).expandDims(0);
        NDArray real = full.eq(1L).expandDims(1);
        NDArray allowed = causal.logicalAnd(real).expandDims(1);
        NDArray additive = allowed.toType(DataType.FLOAT32, false).neg().add(1f).mul(-Float.MAX_VALUE);
        if (prefixLength > 0) {
            NDArray visible = manager.zeros(new Shape(batch, 1, queries, prefixLength), DataType.FLOAT32);
            additive = visible.concat(additive, 3);
        }
        return new DecoderMask(positions, additive, mask);
    }
}
