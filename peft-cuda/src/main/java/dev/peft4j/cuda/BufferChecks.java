package dev.peft4j.cuda;

/** Size checks of kernel operands, before anything is launched. */
final class BufferChecks {

    private BufferChecks() {
    }

    /**
     * @param buffer the operand
     * @param name its name ({@code x}, {@code A}, ...)
     * @param shape its shape for the message, e.g. {@code (tokens 4, in_features 8)}
     * @param elements elements it must hold
     * @param elementBytes bytes per element
     * @throws IllegalArgumentException {@code x holds 64 bytes, needs 128: (tokens 4, in_features 8) x 4 bytes}
     */
    static void require(DeviceBuffer buffer, String name, String shape, long elements, int elementBytes) {
        if (buffer == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        long needed = elements * elementBytes;
        if (buffer.bytes() < needed) {
            throw new IllegalArgumentException(name + " holds " + buffer.bytes() + " bytes, needs " + needed + ": "
                    + shape + " x " + elementBytes + " bytes");
        }
    }

    static int blocks(long items, int perBlock) {
        return Math.toIntExact((items + perBlock - 1) / perBlock);
    }
}
