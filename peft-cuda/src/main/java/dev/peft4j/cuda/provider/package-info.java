/**
 * The thin adapter of peft-cuda's kernels to peft-core: {@link dev.peft4j.cuda.provider.CudaKernelProvider},
 * a {@link dev.peft4j.core.spi.KernelProvider} found by {@link java.util.ServiceLoader} and wired by
 * Guice through {@link dev.peft4j.core.runtime.GuiceContributor}. Kept apart from
 * {@code dev.peft4j.cuda} so the GPU check bundle (no DJL, no peft-core) can leave it out.
 */
package dev.peft4j.cuda.provider;
