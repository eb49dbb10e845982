/**
 * CUDA kernels for LoRA and multi-adapter inference (PTX for sm_90), called through
 * {@code java.lang.foreign} on the CUDA driver API. JDK only: entry points take device buffers
 * filled from arrays or {@link java.lang.foreign.MemorySegment}s, never DJL arrays, so the GPU
 * check runs without DJL or peft-core.
 * <ul>
 *   <li>{@link dev.peft4j.cuda.CudaDriver}: FFM bindings to {@code libcuda.so.1}, every status checked;</li>
 *   <li>{@link dev.peft4j.cuda.CudaContext}, {@link dev.peft4j.cuda.DeviceBuffer}: a primary context
 *       with the PTX module, and the device memory it owns (freed on close);</li>
 *   <li>{@link dev.peft4j.cuda.LoraKernels}: LoRA shrink/expand and their backward;</li>
 *   <li>{@link dev.peft4j.cuda.MultiAdapterKernels}: BGMV and SGMV (Punica);</li>
 *   <li>{@link dev.peft4j.cuda.CudaAvailability}: whether all this can run here, and why not.</li>
 * </ul>
 * The adapter to peft-core's {@code KernelProvider} is {@code dev.peft4j.cuda.provider}.
 */
package dev.peft4j.cuda;
