package dev.peft4j.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One device's primary context with peft4j's PTX module loaded ({@link PeftPtx}). It owns every
 * {@link DeviceBuffer} it allocates: {@link #close()} frees those still open, unloads the module
 * and releases the primary context, so nothing stays allocated on the device. Each call makes the
 * context current on the calling thread first. Not thread-safe: use one context per thread.
 */
public final class CudaContext implements AutoCloseable {

    private final CudaDriver driver;
    private final int device;
    private final MemorySegment context;
    private final MemorySegment module;
    private final Map<String, MemorySegment> functions = new HashMap<>();
    private final Set<DeviceBuffer> buffers = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private CudaContext(CudaDriver driver, int device, MemorySegment context, MemorySegment module) {
        this.driver = driver;
        this.device = device;
        this.context = context;
        this.module = module;
    }

    /**
     * Initialises the driver, retains device {@code ordinal}'s primary context and loads the PTX.
     *
     * @param driver the driver bindings
     * @param ordinal the device index
     * @return the open context
     * @throws CudaException if a driver call fails (no device, PTX rejected, ...)
     */
    public static CudaContext open(CudaDriver driver, int ordinal) {
        driver.init();
        int device = driver.device(ordinal);
        MemorySegment context = driver.primaryCtxRetain(device);
        try {
            driver.ctxSetCurrent(context);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment module = driver.moduleLoadData(arena.allocateFrom(PeftPtx.text()));
                return new CudaContext(driver, device, context, module);
            }
        } catch (RuntimeException e) {
            driver.primaryCtxRelease(device);
            throw e;
        }
    }

    /** @return the driver bindings */
    public CudaDriver driver() {
        return driver;
    }

    /** @return the device's name */
    public String deviceName() {
        return driver.deviceName(device);
    }

    /**
     * @param bytes size, > 0
     * @return a new buffer (contents undefined)
     * @throws IllegalArgumentException if {@code bytes <= 0}
     */
    public DeviceBuffer allocate(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("device buffer size must be > 0 bytes, got " + bytes);
        }
        makeCurrent();
        DeviceBuffer buffer = new DeviceBuffer(this, driver.memAlloc(bytes), bytes);
        buffers.add(buffer);
        return buffer;
    }

    /**
     * @param values fp32 values
     * @param type how to store them (bf16: rounded)
     * @return a new buffer holding them
     */
    public DeviceBuffer upload(float[] values, DType type) {
        DeviceBuffer buffer = allocate((long) Math.max(values.length, 1) * type.bytes());
        buffer.copyFrom(values, type);
        return buffer;
    }

    /**
     * @param values int32 values
     * @return a new buffer holding them
     */
    public DeviceBuffer upload(int[] values) {
        DeviceBuffer buffer = allocate((long) Math.max(values.length, 1) * Integer.BYTES);
        buffer.copyFrom(values);
        return buffer;
    }

    /** Waits for every launched kernel ({@code cuCtxSynchronize}). */
    public void synchronize() {
        makeCurrent();
        driver.ctxSynchronize();
    }

    /** @return how many buffers of this context are open */
    public int openBuffers() {
        return buffers.size();
    }

    /**
     * Launches a kernel of the PTX module on the default stream.
     *
     * @param kernel the {@code extern "C"} name, e.g. {@code peft_lora_shrink_f32}
     * @param grid grid dimensions x, y, z
     * @param blockX threads per block (blocks are one-dimensional)
     * @param args the arguments, in the kernel's parameter order
     */
    void launch(String kernel, int[] grid, int blockX, KernelArgs args) {
        makeCurrent();
        MemorySegment function = functions.computeIfAbsent(kernel, name -> driver.moduleGetFunction(module, name));
        try (Arena arena = Arena.ofConfined()) {
            driver.launchKernel(function, grid, new int[] {blockX, 1, 1}, args.pack(arena), kernel);
        }
    }

    void makeCurrent() {
        if (closed) {
            throw new IllegalStateException("CUDA context is closed");
        }
        driver.ctxSetCurrent(context);
    }

    void release(DeviceBuffer buffer, long pointer) {
        buffers.remove(buffer);
        if (!closed) {
            makeCurrent();
        }
        driver.memFree(pointer);
    }

    /** Frees the open buffers, unloads the module and releases the primary context. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        driver.ctxSetCurrent(context);
        for (DeviceBuffer buffer : List.copyOf(buffers)) {
            buffer.close();
        }
        closed = true;
        driver.moduleUnload(module);
        driver.primaryCtxRelease(device);
    }
}
