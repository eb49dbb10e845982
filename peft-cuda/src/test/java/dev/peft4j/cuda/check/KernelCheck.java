package dev.peft4j.cuda.check;

import dev.peft4j.cuda.Bf16;
import dev.peft4j.cuda.CudaContext;
import dev.peft4j.cuda.DType;
import dev.peft4j.cuda.DeviceBuffer;
import dev.peft4j.cuda.DropoutMask;
import dev.peft4j.cuda.LoraKernels;
import dev.peft4j.cuda.LoraShape;
import dev.peft4j.cuda.MultiAdapterKernels;
import dev.peft4j.cuda.reference.LoraReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Runs every kernel (LoRA shrink, expand, the four backward kernels, BGMV and SGMV shrink and
 * expand; fp32 and bf16) on fresh random inputs and compares each output element with the
 * float64 {@link LoraReference}: it must lie within {@code atol + rtol * bound}, the bound being
 * the reference evaluated on absolute values ({@code sum_k |x_ik| |A_jk|}; {@code sum |u| |B|}
 * for expand); fp32 rtol 1e-5, atol 1e-6; bf16 rtol 1e-2, atol 1e-3, the reference computed on
 * the bf16-rounded inputs. Write-only outputs are poisoned with a NaN pattern first, so an element
 * left unwritten is told apart from a NaN the kernel produced; accumulating outputs start from
 * random values. JDK only (runs in the GPU bundle).
 */
public final class KernelCheck {

    /** The NaN bit pattern outputs are poisoned with before a kernel writes them. */
    public static final int POISON = 0x7FBADBAD;

    private final CudaContext context;
    private final LoraKernels lora;
    private final MultiAdapterKernels multi;
    private final Random random;

    /**
     * @param context where the kernels run
     * @param seed the seed of the inputs (log it: a failure is reproducible with it)
     */
    public KernelCheck(CudaContext context, long seed) {
        this.context = context;
        this.lora = new LoraKernels(context);
        this.multi = new MultiAdapterKernels(context);
        this.random = new Random(seed);
    }

    /**
     * The problem sizes of one round.
     *
     * @param tokens T
     * @param inFeatures K
     * @param outFeatures N
     * @param r the rank
     * @param adapters stacked adapters for BGMV/SGMV
     */
    public record Sizes(int tokens, int inFeatures, int outFeatures, int r, int adapters) {
        LoraShape shape() {
            return new LoraShape(tokens, inFeatures, outFeatures, r);
        }

        @Override
        public String toString() {
            return "T" + tokens + " K" + inFeatures + " N" + outFeatures + " r" + r + " a" + adapters;
        }
    }

    /**
     * One kernel's outcome.
     *
     * @param kernel the operation
     * @param type the input type
     * @param sizes the sizes
     * @param elements output elements compared
     * @param worstRatio the largest {@code |got - expected| / (atol + rtol * bound)} (must be <= 1)
     * @param nans NaN outputs
     * @param unwritten outputs still holding the poison
     */
    public record Result(String kernel, DType type, Sizes sizes, long elements, double worstRatio, long nans,
                         long unwritten) {

        /** @return whether every element is within tolerance, none NaN, none unwritten */
        public boolean passed() {
            return worstRatio <= 1.0 && nans == 0 && unwritten == 0;
        }

        /** @return a tab-separated line: kernel, type, sizes, elements, worst ratio, NaN, unwritten, verdict */
        public String tsv() {
            return String.join("\t", kernel, type.suffix(), sizes.toString(), Long.toString(elements),
                    String.format("%.3g", worstRatio), Long.toString(nans), Long.toString(unwritten),
                    passed() ? "PASS" : "FAIL");
        }
    }

    /**
     * @param sizes the problem sizes
     * @return one result per kernel and input type
     */
    public List<Result> run(Sizes sizes) {
        List<Result> results = new ArrayList<>();
        for (DType type : DType.values()) {
            results.add(shrink(type, sizes));
            results.add(expand(type, sizes));
            results.add(projectGradient(type, sizes));
            results.add(gradB(type, sizes));
            results.add(gradA(type, sizes));
            results.add(gradX(type, sizes));
            results.add(bgmvShrink(type, sizes));
            results.add(bgmvExpand(type, sizes));
            results.add(sgmvShrink(type, sizes));
            results.add(sgmvExpand(type, sizes));
        }
        return results;
    }

    private Result shrink(DType type, Sizes s) {
        float[] x = inputs(type, s.tokens() * s.inFeatures());
        float[] a = inputs(type, s.r() * s.inFeatures());
        float scale = 2.0f;
        DropoutMask dropout = freshDropout();
        try (DeviceBuffer dx = context.upload(x, type); DeviceBuffer da = context.upload(a, type);
             DeviceBuffer du = poisoned(s.tokens() * s.r())) {
            lora.shrink(type, s.shape(), dx, da, du, scale, dropout);
            return compare("lora_shrink", type, s, du.toFloats(), null,
                    LoraReference.shrink(x, a, s.tokens(), s.inFeatures(), s.r(), scale, dropout),
                    LoraReference.shrink(LoraReference.abs(x), LoraReference.abs(a), s.tokens(), s.inFeatures(), s.r(), scale, dropout),
                    true);
        }
    }

    private Result expand(DType type, Sizes s) {
        float[] u = inputs(DType.F32, s.tokens() * s.r());
        float[] b = inputs(type, s.outFeatures() * s.r());
        float[] y0 = inputs(DType.F32, s.tokens() * s.outFeatures());
        try (DeviceBuffer du = context.upload(u, DType.F32); DeviceBuffer db = context.upload(b, type);
             DeviceBuffer dy = context.upload(y0, DType.F32)) {
            lora.expand(type, s.shape(), du, db, dy);
            return compare("lora_expand", type, s, dy.toFloats(), y0,
                    LoraReference.expand(u, b, s.tokens(), s.outFeatures(), s.r()),
                    LoraReference.expand(LoraReference.abs(u), LoraReference.abs(b), s.tokens(), s.outFeatures(), s.r()),
                    false);
        }
    }

    private Result projectGradient(DType type, Sizes s) {
        float[] dy = inputs(type, s.tokens() * s.outFeatures());
        float[] b = inputs(type, s.outFeatures() * s.r());
        try (DeviceBuffer ddy = context.upload(dy, type); DeviceBuffer db = context.upload(b, type);
             DeviceBuffer du = poisoned(s.tokens() * s.r())) {
            lora.projectGradient(type, s.shape(), ddy, db, du);
            return compare("lora_backward_du", type, s, du.toFloats(), null,
                    LoraReference.projectGradient(dy, b, s.tokens(), s.outFeatures(), s.r()),
                    LoraReference.projectGradient(LoraReference.abs(dy), LoraReference.abs(b), s.tokens(), s.outFeatures(), s.r()),
                    true);
        }
    }

    private Result gradB(DType type, Sizes s) {
        float[] dy = inputs(type, s.tokens() * s.outFeatures());
        float[] u = inputs(DType.F32, s.tokens() * s.r());
        float[] g0 = inputs(DType.F32, s.outFeatures() * s.r());
        try (DeviceBuffer ddy = context.upload(dy, type); DeviceBuffer du = context.upload(u, DType.F32);
             DeviceBuffer dg = context.upload(g0, DType.F32)) {
            lora.gradB(type, s.shape(), ddy, du, dg);
            return compare("lora_backward_dB", type, s, dg.toFloats(), g0,
                    LoraReference.gradB(dy, u, s.tokens(), s.outFeatures(), s.r()),
                    LoraReference.gradB(LoraReference.abs(dy), LoraReference.abs(u), s.tokens(), s.outFeatures(), s.r()),
                    false);
        }
    }

    private Result gradA(DType type, Sizes s) {
        float[] x = inputs(type, s.tokens() * s.inFeatures());
        float[] du = inputs(DType.F32, s.tokens() * s.r());
        float[] g0 = inputs(DType.F32, s.r() * s.inFeatures());
        float scale = 0.5f;
        DropoutMask dropout = freshDropout();
        try (DeviceBuffer dx = context.upload(x, type); DeviceBuffer ddu = context.upload(du, DType.F32);
             DeviceBuffer dg = context.upload(g0, DType.F32)) {
            lora.gradA(type, s.shape(), dx, ddu, dg, scale, dropout);
            return compare("lora_backward_dA", type, s, dg.toFloats(), g0,
                    LoraReference.gradA(x, du, s.tokens(), s.inFeatures(), s.r(), scale, dropout),
                    LoraReference.gradA(LoraReference.abs(x), LoraReference.abs(du), s.tokens(), s.inFeatures(), s.r(), scale, dropout),
                    false);
        }
    }

    private Result gradX(DType type, Sizes s) {
        float[] du = inputs(DType.F32, s.tokens() * s.r());
        float[] a = inputs(type, s.r() * s.inFeatures());
        float[] g0 = inputs(DType.F32, s.tokens() * s.inFeatures());
        float scale = 0.5f;
        DropoutMask dropout = freshDropout();
        try (DeviceBuffer ddu = context.upload(du, DType.F32); DeviceBuffer da = context.upload(a, type);
             DeviceBuffer dg = context.upload(g0, DType.F32)) {
            lora.gradX(type, s.shape(), ddu, da, dg, scale, dropout);
            return compare("lora_backward_dx", type, s, dg.toFloats(), g0,
                    LoraReference.gradX(du, a, s.tokens(), s.inFeatures(), s.r(), scale, dropout),
                    LoraReference.gradX(LoraReference.abs(du), LoraReference.abs(a), s.tokens(), s.inFeatures(), s.r(), scale, dropout),
                    false);
        }
    }

    private Result bgmvShrink(DType type, Sizes s) {
        int[] indices = adapterIndices(s.tokens(), s.adapters());
        return multiShrink("bgmv_shrink", type, s, indices, null, null);
    }

    private Result sgmvShrink(DType type, Sizes s) {
        int[] starts = segmentStarts(s.tokens(), s.adapters() + 2);
        int[] owners = adapterIndices(starts.length - 1, s.adapters());
        return multiShrink("sgmv_shrink", type, s, LoraReference.rowIndices(starts, owners), starts, owners);
    }

    private Result multiShrink(String kernel, DType type, Sizes s, int[] indices, int[] starts, int[] owners) {
        float[] x = inputs(type, s.tokens() * s.inFeatures());
        float[] stack = inputs(type, s.adapters() * s.r() * s.inFeatures());
        float[] scales = new float[s.adapters()];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = 0.5f + random.nextFloat() * 1.5f;
        }
        try (DeviceBuffer dx = context.upload(x, type); DeviceBuffer da = context.upload(stack, type);
             DeviceBuffer du = poisoned(s.tokens() * s.r())) {
            if (starts == null) {
                multi.bgmvShrink(type, dx, da, indices, scales, du, s.inFeatures(), s.r());
            } else {
                multi.sgmvShrink(type, dx, da, starts, owners, scales, du, s.inFeatures(), s.r());
            }
            return compare(kernel, type, s, du.toFloats(), null,
                    LoraReference.bgmvShrink(x, stack, indices, scales, s.inFeatures(), s.r()),
                    LoraReference.bgmvShrink(LoraReference.abs(x), LoraReference.abs(stack), indices, scales, s.inFeatures(), s.r()),
                    true);
        }
    }

    private Result bgmvExpand(DType type, Sizes s) {
        int[] indices = adapterIndices(s.tokens(), s.adapters());
        return multiExpand("bgmv_expand", type, s, indices, null, null);
    }

    private Result sgmvExpand(DType type, Sizes s) {
        int[] starts = segmentStarts(s.tokens(), s.adapters() + 2);
        int[] owners = adapterIndices(starts.length - 1, s.adapters());
        return multiExpand("sgmv_expand", type, s, LoraReference.rowIndices(starts, owners), starts, owners);
    }

    private Result multiExpand(String kernel, DType type, Sizes s, int[] indices, int[] starts, int[] owners) {
        float[] u = inputs(DType.F32, s.tokens() * s.r());
        float[] stack = inputs(type, s.adapters() * s.outFeatures() * s.r());
        float[] y0 = inputs(DType.F32, s.tokens() * s.outFeatures());
        try (DeviceBuffer du = context.upload(u, DType.F32); DeviceBuffer db = context.upload(stack, type);
             DeviceBuffer dy = context.upload(y0, DType.F32)) {
            if (starts == null) {
                multi.bgmvExpand(type, du, db, indices, dy, s.outFeatures(), s.r(), s.adapters());
            } else {
                multi.sgmvExpand(type, du, db, starts, owners, dy, s.outFeatures(), s.r(), s.adapters());
            }
            return compare(kernel, type, s, dy.toFloats(), y0,
                    LoraReference.bgmvExpand(u, stack, indices, s.outFeatures(), s.r()),
                    LoraReference.bgmvExpand(LoraReference.abs(u), LoraReference.abs(stack), indices, s.outFeatures(), s.r()),
                    false);
        }
    }

    private Result compare(String kernel, DType type, Sizes sizes, float[] got, float[] initial, double[] delta,
                           double[] bound, boolean writeOnly) {
        double rtol = type == DType.F32 ? 1e-5 : 1e-2;
        double atol = type == DType.F32 ? 1e-6 : 1e-3;
        double worst = 0;
        long nans = 0;
        long unwritten = 0;
        for (int i = 0; i < delta.length; i++) {
            if (writeOnly && Float.floatToRawIntBits(got[i]) == POISON) {
                unwritten++;
            } else if (Float.isNaN(got[i])) {
                nans++;
            } else {
                double expected = (initial == null ? 0.0 : initial[i]) + delta[i];
                worst = Math.max(worst, Math.abs(got[i] - expected) / (atol + rtol * bound[i]));
            }
        }
        return new Result(kernel, type, sizes, delta.length, worst, nans, unwritten);
    }

    private DeviceBuffer poisoned(int floats) {
        DeviceBuffer buffer = context.allocate((long) floats * 4);
        buffer.fill(POISON);
        return buffer;
    }

    /** Uniform in [-1, 1); rounded to bf16 when the device will hold bf16, so the reference sees the same values. */
    private float[] inputs(DType type, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        return type == DType.BF16 ? Bf16.round(values) : values;
    }

    private DropoutMask freshDropout() {
        return new DropoutMask(0.1, random.nextLong(), random.nextLong() >>> 24);
    }

    /** Adapter per row: mostly 0..adapters-1, about one in eight -1 (no adapter). */
    private int[] adapterIndices(int count, int adapters) {
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            indices[i] = random.nextInt(8) == 0 ? -1 : random.nextInt(adapters);
        }
        return indices;
    }

    /** Random boundaries of {@code segments} segments over the tokens, some possibly empty. */
    private int[] segmentStarts(int tokens, int segments) {
        int[] starts = new int[segments + 1];
        for (int i = 1; i < segments; i++) {
            starts[i] = random.nextInt(tokens + 1);
        }
        starts[segments] = tokens;
        java.util.Arrays.sort(starts, 1, segments);
        return starts;
    }
}
