package dev.peft4j.core.spi;

/**
 * An accelerated implementation of PEFT kernels (e.g. LoRA shrink/expand on CUDA), discovered
 * with {@link java.util.ServiceLoader}. Methods fall back to their DJL implementation when no
 * provider is available.
 */
public interface KernelProvider {

    /** @return a short name, e.g. {@code cuda} */
    String name();

    /** @return whether the kernels can run on this machine */
    boolean isAvailable();

    /**
     * Why the kernels cannot run here (no driver, no device, ...), for logs and run environments.
     *
     * @return the reason, or an empty string when {@link #isAvailable()}
     */
    default String unavailableReason() {
        return "";
    }
}
