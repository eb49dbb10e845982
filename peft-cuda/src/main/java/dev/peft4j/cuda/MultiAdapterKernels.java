package dev.peft4j.cuda;

/**
 * Multi-adapter LoRA inference after Punica (Chen et al. 2023, "Punica: Multi-Tenant LoRA
 * Serving"): many adapters of one rank {@code r} are stacked, {@code A (adapters, r, K)} and
 * {@code B (adapters, N, r)}, each with its own scaling, and every token row uses one of them.
 * <ul>
 *   <li>BGMV: {@code indices[t]} names row t's adapter ({@code -1}: none; its u row is zero and
 *       its y row is left as it is);</li>
 *   <li>SGMV: consecutive rows share an adapter: segment {@code i} is rows
 *       {@code [segStarts[i], segStarts[i + 1])} with adapter {@code segAdapters[i]}; each block
 *       then reads one adapter's weights for all its rows.</li>
 * </ul>
 * BGMV's shrink runs one block per row; SGMV's runs {@link LoraKernels#SHRINK_ROWS} rows of a
 * segment per block.
 * Shrink: {@code u[t] = scales[a] * x[t] A[a]^T}; expand: {@code y[t] += u[t] B[a]^T}, with
 * {@code a} row t's adapter. x, A, B have the element type {@link DType}; u, y are fp32. The index
 * arrays are checked on the host, copied to the device, and freed after the kernel finished (the
 * call synchronises).
 */
public final class MultiAdapterKernels {

    private final CudaContext context;

    /** @param context where the kernels run */
    public MultiAdapterKernels(CudaContext context) {
        this.context = context;
    }

    /**
     * BGMV shrink.
     *
     * @param type element type of x and the A stack
     * @param x (T, K), T = {@code indices.length}
     * @param aStack (adapters, r, K), adapters = {@code scales.length}
     * @param indices row t's adapter, -1 for none
     * @param scales each adapter's scaling
     * @param u (T, r) fp32, written
     * @param inFeatures K
     * @param r the common rank
     * @throws IllegalArgumentException {@code indices[2] = 3, allowed -1 (no adapter) to 1}, or a
     *     buffer too small
     */
    public void bgmvShrink(DType type, DeviceBuffer x, DeviceBuffer aStack, int[] indices, float[] scales,
                           DeviceBuffer u, int inFeatures, int r) {
        int tokens = indices.length, adapters = scales.length;
        checkSizes(tokens, inFeatures, r, adapters);
        checkIndices("indices", indices, adapters);
        BufferChecks.require(x, "x", "(tokens " + tokens + ", in_features " + inFeatures + ")", (long) tokens * inFeatures, type.bytes());
        BufferChecks.require(aStack, "A", "(adapters " + adapters + ", r " + r + ", in_features " + inFeatures + ")",
                (long) adapters * r * inFeatures, type.bytes());
        BufferChecks.require(u, "u", "(tokens " + tokens + ", r " + r + ")", (long) tokens * r, 4);
        try (DeviceBuffer index = context.upload(indices); DeviceBuffer scale = context.upload(scales, DType.F32)) {
            KernelArgs args = new KernelArgs().pointer(x).pointer(aStack).pointer(index).pointer(scale).pointer(u)
                    .i32(tokens).i32(inFeatures).i32(r).i32(adapters);
            context.launch("peft_bgmv_shrink_" + type.suffix(), new int[] {tokens, 1, 1}, LoraKernels.SHRINK_THREADS, args);
            context.synchronize();
        }
    }

    /**
     * BGMV expand.
     *
     * @param type element type of the B stack
     * @param u (T, r) fp32, T = {@code indices.length}
     * @param bStack (adapters, N, r)
     * @param indices row t's adapter, -1 for none
     * @param y (T, N) fp32, updated in place
     * @param outFeatures N
     * @param r the common rank
     * @param adapters how many adapters the stack holds
     * @throws IllegalArgumentException for an index out of range or a buffer too small
     */
    public void bgmvExpand(DType type, DeviceBuffer u, DeviceBuffer bStack, int[] indices, DeviceBuffer y,
                           int outFeatures, int r, int adapters) {
        int tokens = indices.length;
        checkSizes(tokens, outFeatures, r, adapters);
        checkIndices("indices", indices, adapters);
        BufferChecks.require(u, "u", "(tokens " + tokens + ", r " + r + ")", (long) tokens * r, 4);
        BufferChecks.require(bStack, "B", "(adapters " + adapters + ", out_features " + outFeatures + ", r " + r + ")",
                (long) adapters * outFeatures * r, type.bytes());
        BufferChecks.require(y, "y", "(tokens " + tokens + ", out_features " + outFeatures + ")", (long) tokens * outFeatures, 4);
        try (DeviceBuffer index = context.upload(indices)) {
            KernelArgs args = new KernelArgs().pointer(u).pointer(bStack).pointer(index).pointer(y)
                    .i32(tokens).i32(outFeatures).i32(r).i32(adapters);
            context.launch("peft_bgmv_expand_" + type.suffix(),
                    new int[] {tokens, BufferChecks.blocks(outFeatures, LoraKernels.EXPAND_THREADS), 1},
                    LoraKernels.EXPAND_THREADS, args);
            context.synchronize();
        }
    }

    /**
     * SGMV shrink.
     *
     * @param type element type of x and the A stack
     * @param x (T, K), T = the last entry of {@code segStarts}
     * @param aStack (adapters, r, K), adapters = {@code scales.length}
     * @param segStarts segment boundaries, {@code segments + 1} non-decreasing values from 0
     * @param segAdapters each segment's adapter, -1 for none
     * @param scales each adapter's scaling
     * @param u (T, r) fp32, written
     * @param inFeatures K
     * @param r the common rank
     * @throws IllegalArgumentException for invalid segments, an adapter out of range or a buffer
     *     too small
     */
    public void sgmvShrink(DType type, DeviceBuffer x, DeviceBuffer aStack, int[] segStarts, int[] segAdapters,
                           float[] scales, DeviceBuffer u, int inFeatures, int r) {
        int adapters = scales.length;
        int longest = checkSegments(segStarts, segAdapters, adapters);
        int tokens = segStarts[segStarts.length - 1];
        checkSizes(Math.max(tokens, 1), inFeatures, r, adapters);
        BufferChecks.require(x, "x", "(tokens " + tokens + ", in_features " + inFeatures + ")", (long) tokens * inFeatures, type.bytes());
        BufferChecks.require(aStack, "A", "(adapters " + adapters + ", r " + r + ", in_features " + inFeatures + ")",
                (long) adapters * r * inFeatures, type.bytes());
        BufferChecks.require(u, "u", "(tokens " + tokens + ", r " + r + ")", (long) tokens * r, 4);
        if (longest == 0) {
            return;
        }
        try (DeviceBuffer starts = context.upload(segStarts); DeviceBuffer owners = context.upload(segAdapters);
             DeviceBuffer scale = context.upload(scales, DType.F32)) {
            KernelArgs args = new KernelArgs().pointer(x).pointer(aStack).pointer(starts).pointer(owners).pointer(scale)
                    .pointer(u).i32(inFeatures).i32(r).i32(adapters);
            context.launch("peft_sgmv_shrink_" + type.suffix(),
                    new int[] {BufferChecks.blocks(longest, LoraKernels.SHRINK_ROWS), 1, segAdapters.length},
                    LoraKernels.SHRINK_THREADS, args);
            context.synchronize();
        }
    }

    /**
     * SGMV expand.
     *
     * @param type element type of the B stack
     * @param u (T, r) fp32, T = the last entry of {@code segStarts}
     * @param bStack (adapters, N, r)
     * @param segStarts segment boundaries, {@code segments + 1} non-decreasing values from 0
     * @param segAdapters each segment's adapter, -1 for none
     * @param y (T, N) fp32, updated in place
     * @param outFeatures N
     * @param r the common rank
     * @param adapters how many adapters the stack holds
     * @throws IllegalArgumentException for invalid segments, an adapter out of range or a buffer
     *     too small
     */
    public void sgmvExpand(DType type, DeviceBuffer u, DeviceBuffer bStack, int[] segStarts, int[] segAdapters,
                           DeviceBuffer y, int outFeatures, int r, int adapters) {
        int longest = checkSegments(segStarts, segAdapters, adapters);
        int tokens = segStarts[segStarts.length - 1];
        checkSizes(Math.max(tokens, 1), outFeatures, r, adapters);
        BufferChecks.require(u, "u", "(tokens " + tokens + ", r " + r + ")", (long) tokens * r, 4);
        BufferChecks.require(bStack, "B", "(adapters " + adapters + ", out_features " + outFeatures + ", r " + r + ")",
                (long) adapters * outFeatures * r, type.bytes());
        BufferChecks.require(y, "y", "(tokens " + tokens + ", out_features " + outFeatures + ")", (long) tokens * outFeatures, 4);
        if (longest == 0) {
            return;
        }
        try (DeviceBuffer starts = context.upload(segStarts); DeviceBuffer owners = context.upload(segAdapters)) {
            KernelArgs args = new KernelArgs().pointer(u).pointer(bStack).pointer(starts).pointer(owners).pointer(y)
                    .i32(outFeatures).i32(r).i32(adapters);
            context.launch("peft_sgmv_expand_" + type.suffix(),
                    new int[] {longest, BufferChecks.blocks(outFeatures, LoraKernels.EXPAND_THREADS), segAdapters.length},
                    LoraKernels.EXPAND_THREADS, args);
            context.synchronize();
        }
    }

    private static void checkSizes(int tokens, int features, int r, int adapters) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens must be > 0, got " + tokens);
        }
        if (features <= 0) {
            throw new IllegalArgumentException("features must be > 0, got " + features);
        }
        if (r <= 0) {
            throw new IllegalArgumentException("lora.r must be > 0, got " + r);
        }
        if (adapters <= 0) {
            throw new IllegalArgumentException("adapters must be > 0, got " + adapters);
        }
    }

    private static void checkIndices(String name, int[] indices, int adapters) {
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < -1 || indices[i] >= adapters) {
                throw new IllegalArgumentException(name + "[" + i + "] = " + indices[i] + ", allowed -1 (no adapter) to "
                        + (adapters - 1));
            }
        }
    }

    /** @return the longest segment's length */
    private static int checkSegments(int[] segStarts, int[] segAdapters, int adapters) {
        if (segStarts.length != segAdapters.length + 1 || segAdapters.length == 0) {
            throw new IllegalArgumentException("segStarts must hold segments + 1 = " + (segAdapters.length + 1)
                    + " boundaries for " + segAdapters.length + " segments (at least one), got " + segStarts.length);
        }
        if (segAdapters.length > 65535) {
            throw new IllegalArgumentException("at most 65535 segments per launch, got " + segAdapters.length);
        }
        if (segStarts[0] != 0) {
            throw new IllegalArgumentException("segStarts[0] must be 0, got " + segStarts[0]);
        }
        int longest = 0;
        for (int i = 0; i < segAdapters.length; i++) {
            if (segStarts[i + 1] < segStarts[i]) {
                throw new IllegalArgumentException("segStarts must not decrease: segStarts[" + (i + 1) + "] = "
                        + segStarts[i + 1] + " < segStarts[" + i + "] = " + segStarts[i]);
            }
            longest = Math.max(longest, segStarts[i + 1] - segStarts[i]);
        }
        checkIndices("segAdapters", segAdapters, adapters);
        return longest;
    }
}
