package dev.peft4j.core.io.safetensors;

import java.util.Arrays;

/**
 * One tensor's line in a safetensors header.
 *
 * @param name the tensor name (a state-dict key)
 * @param dtype its element type
 * @param shape its dimensions, outermost first; {@code []} for a scalar
 * @param begin first byte of its data, relative to the start of the data section
 * @param end one past its last byte, relative to the start of the data section;
 *     {@code end - begin} is {@code product(shape) * dtype.byteSize()}
 */
public record SafetensorsEntry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {

    /** Copies the shape. */
    public SafetensorsEntry {
        shape = shape.clone();
    }

    /** @return a copy of the shape */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return the size of its data in bytes, {@code end - begin} */
    public long byteLength() {
        return end - begin;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SafetensorsEntry that
                && name.equals(that.name)
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && begin == that.begin
                && end == that.end;
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + Long.hashCode(begin);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}
