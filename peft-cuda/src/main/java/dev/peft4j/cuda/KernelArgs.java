package dev.peft4j.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel's arguments in parameter order, packed as {@code cuLaunchKernel} wants them: an
 * array of pointers, each to its argument's value with the C type's size and alignment.
 */
final class KernelArgs {

    private final List<Object> values = new ArrayList<>();

    KernelArgs pointer(DeviceBuffer buffer) {
        values.add(new Pointer(buffer.pointer()));
        return this;
    }

    KernelArgs i32(int value) {
        values.add(value);
        return this;
    }

    KernelArgs i64(long value) {
        values.add(value);
        return this;
    }

    KernelArgs f32(float value) {
        values.add(value);
        return this;
    }

    MemorySegment pack(Arena arena) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, values.size());
        for (int i = 0; i < values.size(); i++) {
            MemorySegment slot = switch (values.get(i)) {
                case Pointer p -> arena.allocateFrom(ValueLayout.JAVA_LONG, p.address());
                case Integer v -> arena.allocateFrom(ValueLayout.JAVA_INT, v);
                case Long v -> arena.allocateFrom(ValueLayout.JAVA_LONG, v);
                case Float v -> arena.allocateFrom(ValueLayout.JAVA_FLOAT, v);
                default -> throw new IllegalStateException("unsupported kernel argument " + values.get(i));
            };
            array.setAtIndex(ValueLayout.ADDRESS, i, slot);
        }
        return array;
    }

    private record Pointer(long address) {
    }
}
