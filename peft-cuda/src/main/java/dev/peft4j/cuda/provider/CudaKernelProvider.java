package dev.peft4j.cuda.provider;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.peft4j.core.runtime.GuiceContributor;
import dev.peft4j.core.spi.KernelProvider;
import dev.peft4j.cuda.CudaAvailability;
import dev.peft4j.cuda.CudaContext;
import dev.peft4j.cuda.CudaDriver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * peft-cuda's {@link KernelProvider} ({@code cuda}), listed in
 * {@code META-INF/services/dev.peft4j.core.spi.KernelProvider}; the runtime binds it into
 * {@code Set<KernelProvider>} and its Guice module binds {@code CudaKernelProvider} itself, so that
 * code wanting contexts can inject it. Availability is probed once, on first use, through
 * the driver named by {@link CudaDriver#configuredLibrary()} (a context is opened and the PTX
 * loaded); the reason it is unavailable is logged once, at info. The kernels themselves live in
 * {@code dev.peft4j.cuda} ({@link dev.peft4j.cuda.LoraKernels},
 * {@link dev.peft4j.cuda.MultiAdapterKernels}) over a context from {@link #openContext()}.
 */
public final class CudaKernelProvider implements KernelProvider, GuiceContributor {

    private static final Logger LOG = LoggerFactory.getLogger(CudaKernelProvider.class);

    private final Supplier<CudaAvailability> availability;

    /** The provider ServiceLoader creates: probes {@link CudaDriver#configuredLibrary()}. */
    public CudaKernelProvider() {
        this(CudaDriver.configuredLibrary());
    }

    /** @param library the driver library to probe (a path or soname) */
    public CudaKernelProvider(String library) {
        this.availability = memoize(() -> {
            CudaAvailability probed = CudaAvailability.probe(library);
            if (probed.available()) {
                LOG.info("CUDA kernels available on {} (driver {})", probed.device(), probed.driverVersion());
            } else {
                LOG.info("CUDA kernels unavailable: {}", probed.reason());
            }
            return probed;
        });
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public boolean isAvailable() {
        return availability.get().available();
    }

    @Override
    public String unavailableReason() {
        return availability.get().reason();
    }

    /** @return the probe's full outcome (device name, driver version) */
    public CudaAvailability availability() {
        return availability.get();
    }

    /**
     * @return a new context on device 0; close it to free its device memory
     * @throws IllegalStateException {@code CUDA kernels unavailable: <reason>}
     */
    public CudaContext openContext() {
        CudaAvailability probed = availability.get();
        if (!probed.available()) {
            throw new IllegalStateException("CUDA kernels unavailable: " + probed.reason());
        }
        return CudaContext.open(CudaDriver.load(probed.library()), 0);
    }

    @Override
    public Module guiceModule() {
        CudaKernelProvider self = this;
        return new AbstractModule() {
            @Override
            protected void configure() {
                bind(CudaKernelProvider.class).toInstance(self);
            }
        };
    }

    private static <T> Supplier<T> memoize(Supplier<T> supplier) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = supplier.get();
                }
                return value;
            }
        };
    }
}
