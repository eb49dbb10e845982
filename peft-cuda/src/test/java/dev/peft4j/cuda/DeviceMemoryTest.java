package dev.peft4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Device memory ownership and driver error reporting, through the fake driver's bookkeeping. */
class DeviceMemoryTest {

    @Test
    void closingBuffersAndTheContextFreesEverything() {
        FakeCuda fake = FakeCuda.load();
        long before = fake.liveAllocations();
        int retainsBefore = fake.primaryRetains();
        try (CudaContext context = fake.open()) {
            assertThat(fake.primaryRetains()).isEqualTo(retainsBefore + 1);
            DeviceBuffer a = context.allocate(1000);
            DeviceBuffer b = context.upload(new float[] {1, 2, 3}, DType.BF16);
            assertThat(fake.liveAllocations()).isEqualTo(before + 2);
            assertThat(fake.liveBytes()).isGreaterThanOrEqualTo(1006);
            a.close();
            a.close();
            assertThat(fake.liveAllocations()).isEqualTo(before + 1);
            assertThat(context.openBuffers()).isEqualTo(1);
            assertThat(b.isClosed()).isFalse();
            context.allocate(64);
        }
        assertThat(fake.liveAllocations()).isEqualTo(before);
        assertThat(fake.primaryRetains()).isEqualTo(retainsBefore);
    }

    @Test
    void aClosedBufferNamesItsSize() {
        FakeCuda fake = FakeCuda.load();
        try (CudaContext context = fake.open()) {
            DeviceBuffer buffer = context.allocate(48);
            buffer.close();
            assertThatThrownBy(buffer::pointer).isInstanceOf(IllegalStateException.class)
                    .hasMessage("device buffer of 48 bytes is closed");
        }
    }

    @Test
    void copiesRoundTripFloatsAndBf16() {
        FakeCuda fake = FakeCuda.load();
        try (CudaContext context = fake.open(); DeviceBuffer buffer = context.upload(new float[] {1.5f, -2.25f, 1e-3f}, DType.F32)) {
            assertThat(buffer.toFloats()).containsExactly(1.5f, -2.25f, 1e-3f);
            buffer.fill(Float.floatToRawIntBits(7f));
            assertThat(buffer.toFloats()).containsExactly(7f, 7f, 7f);
            assertThatThrownBy(() -> buffer.copyFrom(new float[4])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("copy of 16 bytes does not fit a device buffer of 12 bytes");
        }
    }

    @Test
    void driverErrorsNameTheCallAndTheCudaError() {
        FakeCuda fake = FakeCuda.load();
        try (CudaContext context = fake.open()) {
            fake.failNext("cuMemAlloc_v2", 2);
            assertThatThrownBy(() -> context.allocate(16)).isInstanceOf(CudaException.class)
                    .hasMessage("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)")
                    .satisfies(e -> assertThat(((CudaException) e).status()).isEqualTo(2));
            assertThat(context.openBuffers()).isZero();
            fake.failNext("cuCtxSynchronize", 700);
            assertThatThrownBy(context::synchronize).isInstanceOf(CudaException.class)
                    .hasMessage("cuCtxSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was encountered)");
        }
    }

    @Test
    void anUnknownCudaErrorStillNamesItsNumber() {
        FakeCuda fake = FakeCuda.load();
        CudaDriver driver = fake.driver();
        assertThat(driver.errorName(12345)).isEqualTo("CUresult 12345");
        assertThat(driver.errorString(12345)).isEqualTo("unknown error");
    }

    @Test
    void theFakeRejectsWrongLaunchGeometryAndDeadPointers() {
        FakeCuda fake = FakeCuda.load();
        try (CudaContext context = fake.open(); DeviceBuffer x = context.allocate(4 * 4 * 8);
             DeviceBuffer a = context.allocate(2 * 8 * 4); DeviceBuffer u = context.allocate(4 * 2 * 4)) {
            KernelArgs args = new KernelArgs().pointer(x).pointer(a).pointer(u).i32(4).i32(8).i32(2).i64(8).i64(1)
                    .f32(1f).i64(0).i64(0).i32(0).f32(1f);
            assertThatThrownBy(() -> context.launch("peft_lora_shrink_f32", new int[] {1, 1, 1}, 64, args))
                    .isInstanceOf(CudaException.class)
                    .hasMessage("cuLaunchKernel(peft_lora_shrink_f32) failed: CUDA_ERROR_INVALID_VALUE (invalid argument)");
            assertThat(fake.lastError()).isEqualTo("peft_lora_shrink_f32 needs blocks of 128 x 1 x 1 threads, got 64 x 1 x 1");

            long launches = fake.launches();
            context.launch("peft_lora_shrink_f32", new int[] {1, 1, 1}, 128, args);
            assertThat(fake.launches()).isEqualTo(launches + 1);

            a.close();
            assertThatThrownBy(() -> context.launch("peft_lora_shrink_f32", new int[] {1, 1, 1}, 128, args))
                    .isInstanceOf(CudaException.class);
            assertThat(fake.lastError()).isEqualTo("peft_lora_shrink_f32 parameter 1 is not a live device pointer");
        }
    }

    @Test
    void aKernelMissingFromThePtxIsNamed() {
        FakeCuda fake = FakeCuda.load();
        try (CudaContext context = fake.open(); DeviceBuffer x = context.allocate(16)) {
            assertThatThrownBy(() -> context.launch("peft_no_such_kernel", new int[] {1, 1, 1}, 128, new KernelArgs().pointer(x)))
                    .isInstanceOf(CudaException.class)
                    .hasMessage("cuModuleGetFunction(peft_no_such_kernel) failed: CUDA_ERROR_NOT_FOUND (named symbol not found)");
        }
    }

    @Test
    void operandSizesAreCheckedBeforeLaunch() {
        FakeCuda fake = FakeCuda.load();
        try (CudaContext context = fake.open(); DeviceBuffer small = context.allocate(64);
             DeviceBuffer big = context.allocate(4096)) {
            LoraShape shape = new LoraShape(4, 8, 6, 2);
            assertThatThrownBy(() -> new LoraKernels(context).shrink(DType.F32, shape, small, big, big, 1f, DropoutMask.NONE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("x holds 64 bytes, needs 128: (tokens 4, in_features 8) x 4 bytes");
            assertThatThrownBy(() -> new MultiAdapterKernels(context).bgmvShrink(DType.F32, big, big, new int[] {0, 2}, new float[] {1f, 1f},
                    big, 8, 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("indices[1] = 2, allowed -1 (no adapter) to 1");
            assertThatThrownBy(() -> new MultiAdapterKernels(context).sgmvExpand(DType.F32, big, big, new int[] {0, 3, 2}, new int[] {0, 1},
                    big, 8, 2, 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("segStarts must not decrease: segStarts[2] = 2 < segStarts[1] = 3");
        }
    }

    @Test
    void aMissingDriverLibraryIsReportedNotThrown() {
        CudaAvailability availability = CudaAvailability.probe("/nonexistent/libcuda.so.1");
        assertThat(availability.available()).isFalse();
        assertThat(availability.reason())
                .startsWith("cannot load the CUDA driver /nonexistent/libcuda.so.1: ")
                .endsWith("(no NVIDIA driver installed?)");
    }

    @Test
    void theFakeIsAvailableAndNamesItsDevice() {
        CudaAvailability availability = CudaAvailability.probe(FakeCuda.libraryPath().toString());
        assertThat(availability.available()).as(availability.reason()).isTrue();
        assertThat(availability.device()).isEqualTo("peft4j fake CUDA device (host threads)");
        assertThat(availability.driverVersion()).isEqualTo(13000);
        assertThat(availability.reason()).isEmpty();
    }
}
