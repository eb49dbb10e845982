package dev.peft4j.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A block of device memory ({@code cuMemAlloc}), freed by {@link #close()} (or by closing its
 * {@link CudaContext}). Copies are synchronous ({@code cuMemcpyHtoD} / {@code cuMemcpyDtoH}).
 * Not thread-safe.
 */
public final class DeviceBuffer implements AutoCloseable {

    private final CudaContext context;
    private final long bytes;
    private long pointer;

    DeviceBuffer(CudaContext context, long pointer, long bytes) {
        this.context = context;
        this.pointer = pointer;
        this.bytes = bytes;
    }

    /** @return size in bytes */
    public long bytes() {
        return bytes;
    }

    /**
     * @return the device pointer
     * @throws IllegalStateException if closed
     */
    public long pointer() {
        if (pointer == 0) {
            throw new IllegalStateException("device buffer of " + bytes + " bytes is closed");
        }
        return pointer;
    }

    /** @return whether {@link #close()} ran */
    public boolean isClosed() {
        return pointer == 0;
    }

    /**
     * Copies host memory to the start of this buffer.
     *
     * @param host the source; at most {@link #bytes()} bytes
     * @throws IllegalArgumentException if the source is larger than the buffer
     */
    public void copyFrom(MemorySegment host) {
        requireFits(host.byteSize());
        context.makeCurrent();
        context.driver().memcpyHtoD(pointer(), host, host.byteSize());
    }

    /** @param values fp32 values to copy to the start of the buffer */
    public void copyFrom(float[] values) {
        try (Arena arena = Arena.ofConfined()) {
            copyFrom(arena.allocateFrom(ValueLayout.JAVA_FLOAT, values));
        }
    }

    /** @param values int32 values to copy to the start of the buffer */
    public void copyFrom(int[] values) {
        try (Arena arena = Arena.ofConfined()) {
            copyFrom(arena.allocateFrom(ValueLayout.JAVA_INT, values));
        }
    }

    /**
     * @param values floats, stored as {@code type} (bf16: rounded to nearest even)
     * @param type the element type on the device
     */
    public void copyFrom(float[] values, DType type) {
        if (type == DType.F32) {
            copyFrom(values);
            return;
        }
        short[] bits = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Bf16.fromFloat(values[i]);
        }
        try (Arena arena = Arena.ofConfined()) {
            copyFrom(arena.allocateFrom(ValueLayout.JAVA_SHORT, bits));
        }
    }

    /**
     * Copies the start of this buffer to host memory.
     *
     * @param host the destination; at most {@link #bytes()} bytes
     */
    public void copyTo(MemorySegment host) {
        requireFits(host.byteSize());
        context.makeCurrent();
        context.driver().memcpyDtoH(host, pointer(), host.byteSize());
    }

    /**
     * @param count how many fp32 values to read from the start
     * @return them
     */
    public float[] toFloats(int count) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(ValueLayout.JAVA_FLOAT, count);
            copyTo(host);
            return host.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /** @return the whole buffer as fp32 values */
    public float[] toFloats() {
        return toFloats(Math.toIntExact(bytes / 4));
    }

    /**
     * Fills the buffer with a 32-bit pattern ({@code cuMemsetD32}); e.g. 0 to zero gradients, or
     * a NaN pattern to poison outputs before a check.
     *
     * @param bits the pattern
     */
    public void fill(int bits) {
        context.makeCurrent();
        context.driver().memsetD32(pointer(), bits, bytes / 4);
    }

    /** Frees the device memory; a second call does nothing. */
    @Override
    public void close() {
        if (pointer != 0) {
            long freed = pointer;
            pointer = 0;
            context.release(this, freed);
        }
    }

    private void requireFits(long size) {
        if (size > bytes) {
            throw new IllegalArgumentException("copy of " + size + " bytes does not fit a device buffer of " + bytes + " bytes");
        }
    }
}
