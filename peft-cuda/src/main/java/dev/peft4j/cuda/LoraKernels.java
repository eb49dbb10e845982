package dev.peft4j.cuda;

/**
 * LoRA's forward and backward on the GPU (Hu et al. 2021, eq. 3: {@code h = W0 x + (alpha / r) B A x}),
 * as HF PEFT's {@code lora.Linear} computes {@code result + lora_B(lora_A(dropout(x))) * scaling}.
 * All buffers are row-major; {@code x, dy, A, B} have the element type {@link DType} (fp32 or
 * bf16), everything else is fp32; sums accumulate in fp32. Shapes (see {@link LoraShape}):
 * {@code x (T, K)}, {@code A (r, K)}, {@code u (T, r)}, {@code B (N, r)}, {@code y, dy (T, N)}.
 * <ul>
 *   <li>{@link #shrink}: {@code u = s * dropout(x) A^T}, the mask regenerated from a {@link DropoutMask};</li>
 *   <li>{@link #expand}: {@code y += u B^T} in place;</li>
 *   <li>{@link #backward}: {@code du = dy B}, {@code dB += dy^T u}, {@code dA += s * du^T dropout(x)},
 *       {@code dx += s * dropout'(du A)} (the LoRA part of dx, same mask).</li>
 * </ul>
 * Gradients accumulate ({@code +=}, as PyTorch's {@code .grad}): zero them with
 * {@link DeviceBuffer#fill(int) fill(0)} first. Launches are asynchronous; buffers read back
 * synchronously. Operand sizes are checked before launch ({@link IllegalArgumentException}).
 */
public final class LoraKernels {

    /** Threads per block of the shrink kernels (a tree reduction over in_features). */
    public static final int SHRINK_THREADS = 128;
    /** Token rows per shrink block (A is read once for them). */
    public static final int SHRINK_ROWS = 4;
    /** Threads per block of the expand kernels (one output element each). */
    public static final int EXPAND_THREADS = 256;
    /** Threads per block of the weight-gradient kernels. */
    public static final int OUTER_THREADS = 256;
    /** Tokens summed per weight-gradient block before its atomicAdd. */
    public static final int OUTER_TOKEN_CHUNK = 64;

    private final CudaContext context;

    /** @param context where the kernels run */
    public LoraKernels(CudaContext context) {
        this.context = context;
    }

    /**
     * {@code u = scale * dropout(x) A^T}.
     *
     * @param type element type of x and A
     * @param shape the sizes
     * @param x (T, K)
     * @param a A (r, K)
     * @param u (T, r) fp32, written
     * @param scale {@code lora_alpha / r} (rsLoRA: {@code / sqrt(r)})
     * @param dropout the mask on x
     */
    public void shrink(DType type, LoraShape shape, DeviceBuffer x, DeviceBuffer a, DeviceBuffer u, float scale,
                       DropoutMask dropout) {
        int t = shape.tokens(), k = shape.inFeatures(), r = shape.r();
        BufferChecks.require(x, "x", "(tokens " + t + ", in_features " + k + ")", (long) t * k, type.bytes());
        BufferChecks.require(a, "A", "(r " + r + ", in_features " + k + ")", (long) r * k, type.bytes());
        BufferChecks.require(u, "u", "(tokens " + t + ", r " + r + ")", (long) t * r, 4);
        shrinkKernel(type, x, a, u, t, k, r, k, 1, scale, dropout);
    }

    /**
     * {@code y += u B^T}.
     *
     * @param type element type of B
     * @param shape the sizes
     * @param u (T, r) fp32
     * @param b B (N, r)
     * @param y (T, N) fp32, updated in place
     */
    public void expand(DType type, LoraShape shape, DeviceBuffer u, DeviceBuffer b, DeviceBuffer y) {
        int t = shape.tokens(), n = shape.outFeatures(), r = shape.r();
        BufferChecks.require(u, "u", "(tokens " + t + ", r " + r + ")", (long) t * r, 4);
        BufferChecks.require(b, "B", "(out_features " + n + ", r " + r + ")", (long) n * r, type.bytes());
        BufferChecks.require(y, "y", "(tokens " + t + ", out_features " + n + ")", (long) t * n, 4);
        expandKernel(type, u, b, y, t, n, r, r, 1, 1.0f, DropoutMask.NONE);
    }

    /**
     * The LoRA forward: {@link #shrink} then {@link #expand}.
     *
     * @param type element type of x, A and B
     * @param shape the sizes
     * @param x (T, K)
     * @param a A (r, K)
     * @param b B (N, r)
     * @param u (T, r) fp32, written (keep it for {@link #backward})
     * @param y (T, N) fp32, the base layer's output, updated in place
     * @param scale the LoRA scaling
     * @param dropout the mask on x
     */
    public void forward(DType type, LoraShape shape, DeviceBuffer x, DeviceBuffer a, DeviceBuffer b, DeviceBuffer u,
                        DeviceBuffer y, float scale, DropoutMask dropout) {
        shrink(type, shape, x, a, u, scale, dropout);
        expand(type, shape, u, b, y);
    }

    /**
     * The LoRA backward given the output gradient, regenerating the forward's dropout mask.
     *
     * @param type element type of dy, x, A and B
     * @param shape the sizes
     * @param dy (T, N)
     * @param x (T, K), the forward's input
     * @param a A (r, K)
     * @param b B (N, r)
     * @param u (T, r) fp32, the forward's {@link #shrink} output
     * @param du (T, r) fp32 scratch, written with {@code dy B}
     * @param gradA (r, K) fp32, {@code += scale * du^T dropout(x)}
     * @param gradB (N, r) fp32, {@code += dy^T u}
     * @param gradX (T, K) fp32, {@code += scale * mask * (du A)}
     * @param scale the forward's scaling
     * @param dropout the forward's mask
     */
    public void backward(DType type, LoraShape shape, DeviceBuffer dy, DeviceBuffer x, DeviceBuffer a, DeviceBuffer b,
                         DeviceBuffer u, DeviceBuffer du, DeviceBuffer gradA, DeviceBuffer gradB, DeviceBuffer gradX,
                         float scale, DropoutMask dropout) {
        projectGradient(type, shape, dy, b, du);
        gradB(type, shape, dy, u, gradB);
        gradA(type, shape, x, du, gradA, scale, dropout);
        gradX(type, shape, du, a, gradX, scale, dropout);
    }

    /**
     * {@code du = dy B} (the gradient reaching u).
     *
     * @param type element type of dy and B
     * @param shape the sizes
     * @param dy (T, N)
     * @param b B (N, r)
     * @param du (T, r) fp32, written
     */
    public void projectGradient(DType type, LoraShape shape, DeviceBuffer dy, DeviceBuffer b, DeviceBuffer du) {
        int t = shape.tokens(), n = shape.outFeatures(), r = shape.r();
        BufferChecks.require(dy, "dy", "(tokens " + t + ", out_features " + n + ")", (long) t * n, type.bytes());
        BufferChecks.require(b, "B", "(out_features " + n + ", r " + r + ")", (long) n * r, type.bytes());
        BufferChecks.require(du, "du", "(tokens " + t + ", r " + r + ")", (long) t * r, 4);
        shrinkKernel(type, dy, b, du, t, n, r, 1, r, 1.0f, DropoutMask.NONE);
    }

    /**
     * {@code dB += dy^T u}.
     *
     * @param type element type of dy
     * @param shape the sizes
     * @param dy (T, N)
     * @param u (T, r) fp32
     * @param gradB (N, r) fp32, accumulated
     */
    public void gradB(DType type, LoraShape shape, DeviceBuffer dy, DeviceBuffer u, DeviceBuffer gradB) {
        int t = shape.tokens(), n = shape.outFeatures(), r = shape.r();
        BufferChecks.require(dy, "dy", "(tokens " + t + ", out_features " + n + ")", (long) t * n, type.bytes());
        BufferChecks.require(u, "u", "(tokens " + t + ", r " + r + ")", (long) t * r, 4);
        BufferChecks.require(gradB, "dB", "(out_features " + n + ", r " + r + ")", (long) n * r, 4);
        outerKernel(type, dy, u, gradB, t, n, r, r, 1, 1.0f, DropoutMask.NONE);
    }

    /**
     * {@code dA += scale * du^T dropout(x)}.
     *
     * @param type element type of x
     * @param shape the sizes
     * @param x (T, K)
     * @param du (T, r) fp32
     * @param gradA (r, K) fp32, accumulated
     * @param scale the forward's scaling
     * @param dropout the forward's mask
     */
    public void gradA(DType type, LoraShape shape, DeviceBuffer x, DeviceBuffer du, DeviceBuffer gradA, float scale,
                      DropoutMask dropout) {
        int t = shape.tokens(), k = shape.inFeatures(), r = shape.r();
        BufferChecks.require(x, "x", "(tokens " + t + ", in_features " + k + ")", (long) t * k, type.bytes());
        BufferChecks.require(du, "du", "(tokens " + t + ", r " + r + ")", (long) t * r, 4);
        BufferChecks.require(gradA, "dA", "(r " + r + ", in_features " + k + ")", (long) r * k, 4);
        outerKernel(type, x, du, gradA, t, k, r, 1, k, scale, dropout);
    }

    /**
     * {@code dx += scale * mask * (du A)}, the LoRA part of the input gradient.
     *
     * @param type element type of A
     * @param shape the sizes
     * @param du (T, r) fp32
     * @param a A (r, K)
     * @param gradX (T, K) fp32, accumulated
     * @param scale the forward's scaling
     * @param dropout the forward's mask
     */
    public void gradX(DType type, LoraShape shape, DeviceBuffer du, DeviceBuffer a, DeviceBuffer gradX, float scale,
                      DropoutMask dropout) {
        int t = shape.tokens(), k = shape.inFeatures(), r = shape.r();
        BufferChecks.require(du, "du", "(tokens " + t + ", r " + r + ")", (long) t * r, 4);
        BufferChecks.require(a, "A", "(r " + r + ", in_features " + k + ")", (long) r * k, type.bytes());
        BufferChecks.require(gradX, "dx", "(tokens " + t + ", in_features " + k + ")", (long) t * k, 4);
        expandKernel(type, du, a, gradX, t, k, r, 1, k, scale, dropout);
    }

    private void shrinkKernel(DType type, DeviceBuffer in, DeviceBuffer w, DeviceBuffer out, int tokens, int k, int r,
                              long wStrideJ, long wStrideK, float scale, DropoutMask dropout) {
        KernelArgs args = new KernelArgs().pointer(in).pointer(w).pointer(out).i32(tokens).i32(k).i32(r)
                .i64(wStrideJ).i64(wStrideK).f32(scale);
        dropoutArgs(args, dropout);
        context.launch("peft_lora_shrink_" + type.suffix(), new int[] {BufferChecks.blocks(tokens, SHRINK_ROWS), 1, 1},
                SHRINK_THREADS, args);
    }

    private void expandKernel(DType type, DeviceBuffer u, DeviceBuffer w, DeviceBuffer out, int tokens, int n, int r,
                              long wStrideN, long wStrideJ, float scale, DropoutMask dropout) {
        KernelArgs args = new KernelArgs().pointer(u).pointer(w).pointer(out).i32(tokens).i32(n).i32(r)
                .i64(wStrideN).i64(wStrideJ).f32(scale);
        dropoutArgs(args, dropout);
        context.launch("peft_lora_expand_" + type.suffix(),
                new int[] {tokens, BufferChecks.blocks(n, EXPAND_THREADS), 1}, EXPAND_THREADS, args);
    }

    private void outerKernel(DType type, DeviceBuffer l, DeviceBuffer s, DeviceBuffer out, int tokens, int la, int sb,
                             long outStrideA, long outStrideB, float scale, DropoutMask dropout) {
        KernelArgs args = new KernelArgs().pointer(l).pointer(s).pointer(out).i32(tokens).i32(la).i32(sb)
                .i64(outStrideA).i64(outStrideB).i32(OUTER_TOKEN_CHUNK).f32(scale);
        dropoutArgs(args, dropout);
        context.launch("peft_lora_outer_" + type.suffix(),
                new int[] {BufferChecks.blocks(la, OUTER_THREADS), BufferChecks.blocks(tokens, OUTER_TOKEN_CHUNK), 1},
                OUTER_THREADS, args);
    }

    private static void dropoutArgs(KernelArgs args, DropoutMask dropout) {
        args.i64(dropout.seed()).i64(dropout.offset()).i32(dropout.threshold()).f32(dropout.keepScale());
    }
}
