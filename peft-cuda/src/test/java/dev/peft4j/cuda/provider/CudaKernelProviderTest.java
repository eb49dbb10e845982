package dev.peft4j.cuda.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.peft4j.core.runtime.GuiceContributor;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.KernelProvider;
import dev.peft4j.cuda.CudaContext;
import dev.peft4j.cuda.DType;
import dev.peft4j.cuda.DeviceBuffer;
import dev.peft4j.cuda.FakeCuda;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CudaKernelProviderTest {

    @Test
    void serviceLoaderFindsTheCudaProvider() {
        List<KernelProvider> providers = ServiceLoader.load(KernelProvider.class).stream().map(ServiceLoader.Provider::get).toList();
        assertThat(providers).extracting(KernelProvider::name).containsExactly("cuda");
        assertThat(providers.getFirst()).isInstanceOf(CudaKernelProvider.class).isInstanceOf(GuiceContributor.class);
    }

    @Test
    void withoutADriverItIsUnavailableWithTheReason() {
        CudaKernelProvider provider = new CudaKernelProvider("/nonexistent/libcuda.so.1");
        assertThat(provider.isAvailable()).isFalse();
        assertThat(provider.unavailableReason())
                .startsWith("cannot load the CUDA driver /nonexistent/libcuda.so.1: ")
                .endsWith("(no NVIDIA driver installed?)");
        assertThatThrownBy(provider::openContext).isInstanceOf(IllegalStateException.class)
                .hasMessage("CUDA kernels unavailable: " + provider.unavailableReason());
    }

    @Test
    void onTheFakeDriverItIsAvailableAndOpensContexts() {
        FakeCuda fake = FakeCuda.load();
        CudaKernelProvider provider = new CudaKernelProvider(FakeCuda.libraryPath().toString());
        assertThat(provider.isAvailable()).as(provider.unavailableReason()).isTrue();
        assertThat(provider.unavailableReason()).isEmpty();
        long before = fake.liveAllocations();
        try (CudaContext context = provider.openContext(); DeviceBuffer buffer = context.upload(new float[] {1f}, DType.F32)) {
            assertThat(buffer.toFloats()).containsExactly(1f);
        }
        assertThat(fake.liveAllocations()).isEqualTo(before);
    }

    @Test
    void guiceBindsItIntoTheKernelProviderSet() {
        CudaKernelProvider provider = new CudaKernelProvider("/nonexistent/libcuda.so.1");
        PeftRuntime runtime = PeftRuntime.of(List.of(), List.of(provider), List.of());
        Set<KernelProvider> bound = runtime.injector().getInstance(Key.get(new TypeLiteral<Set<KernelProvider>>() {}));
        assertThat(bound).containsExactly(provider);
        assertThat(runtime.injector().getInstance(CudaKernelProvider.class)).isSameAs(provider);
    }

    @Test
    void discoveryFindsItThroughServiceLoader() {
        assertThat(PeftRuntime.discover().kernelProviders())
                .singleElement()
                .isInstanceOf(CudaKernelProvider.class)
                .extracting(KernelProvider::name)
                .isEqualTo("cuda");
    }
}
