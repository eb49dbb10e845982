/**
 * CUDA kernels for LoRA and multi-adapter inference (PTX for sm_90), called through
 * {@code java.lang.foreign} on the CUDA driver API, behind {@link dev.peft4j.core.spi.KernelProvider}.
 * Implementation arrives with the CUDA issue.
 */
package dev.peft4j.cuda;
