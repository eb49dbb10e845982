package dev.peft4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peft4j.cuda.check.KernelCheck;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The GPU check's kernel comparisons, run on the fake libcuda: the same kernel bodies compiled for
 * the host, one host thread per CUDA thread. Sizes are small and deliberately ragged (tokens not a
 * multiple of the rows per block, a rank above one register chunk of 16, features not a multiple
 * of the block size) so every tail path runs.
 */
class KernelCheckFakeTest {

    @Test
    void everyKernelMatchesTheFloat64ReferenceOnTheFake() {
        FakeCuda fake = FakeCuda.load();
        long before = fake.liveAllocations();
        try (CudaContext context = fake.open()) {
            KernelCheck check = new KernelCheck(context, 20260601L);
            List<KernelCheck.Result> results = check.run(new KernelCheck.Sizes(9, 300, 70, 20, 3));
            results.addAll(check.run(new KernelCheck.Sizes(33, 64, 257, 4, 2)));
            assertThat(results).hasSize(40);
            assertThat(results).allSatisfy(result -> assertThat(result.passed()).as(result.tsv()).isTrue());
        }
        assertThat(fake.liveAllocations()).isEqualTo(before);
    }

    @Test
    void theCheckCatchesAWrongKernel() {
        FakeCuda fake = FakeCuda.load();
        try (CudaContext context = fake.open()) {
            LoraShape shape = new LoraShape(5, 40, 30, 3);
            float[] u = new float[15];
            java.util.Arrays.fill(u, 1f);
            float[] b = new float[90];
            java.util.Arrays.fill(b, 1f);
            try (DeviceBuffer du = context.upload(u, DType.F32); DeviceBuffer db = context.upload(b, DType.F32);
                 DeviceBuffer y = context.allocate(5 * 30 * 4)) {
                y.fill(0);
                new LoraKernels(context).expand(DType.F32, shape, du, db, y);
                // every element is the sum of r = 3 products 1 * 1
                assertThat(y.toFloats()).containsOnly(3f);
                // a second expand accumulates: y += u B^T
                new LoraKernels(context).expand(DType.F32, shape, du, db, y);
                assertThat(y.toFloats()).containsOnly(6f);
            }
        }
    }
}
