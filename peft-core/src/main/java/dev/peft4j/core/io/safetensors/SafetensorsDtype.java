package dev.peft4j.core.io.safetensors;

import java.util.Arrays;
import java.util.List;

/**
 * The element types of the safetensors format, by their header name ({@code "F32"}, ...), with
 * their size in bytes. Every type is accepted in a header (so files holding, say, an {@code I8}
 * buffer validate and the other tensors stay readable), but only the {@linkplain #isSupported()
 * supported} ones ({@code BOOL, U8, F16, BF16, I32, F32, I64, F64}) can be read or written as
 * {@link SafetensorsTensor}s; {@link #F32}, {@link #F16} and {@link #BF16} can also be read as fp32
 * {@link dev.peft4j.core.io.HostTensor}s. BF16 must never reach DJL, which crashes the JVM on it
 * (ARCHITECTURE.md): it is widened in Java. Sub-byte types (F4, F6) are not listed and are
 * rejected as unknown. The package documentation has the full table.
 */
public enum SafetensorsDtype {
    /** Boolean, one byte. */
    BOOL(1),
    /** Unsigned 8-bit integer. */
    U8(1),
    /** Signed 8-bit integer. */
    I8(1),
    /** 8-bit float, 5 exponent bits, 2 mantissa bits. */
    F8_E5M2(1),
    /** 8-bit float, 4 exponent bits, 3 mantissa bits. */
    F8_E4M3(1),
    /** 8-bit float, exponent only (MX scale). */
    F8_E8M0(1),
    /** Signed 16-bit integer. */
    I16(2),
    /** Unsigned 16-bit integer. */
    U16(2),
    /** IEEE 754 half precision; widened exactly to fp32 on read. */
    F16(2),
    /** bfloat16 (the upper half of an fp32); widened exactly to fp32 on read. */
    BF16(2),
    /** Signed 32-bit integer. */
    I32(4),
    /** Unsigned 32-bit integer. */
    U32(4),
    /** IEEE 754 single precision. */
    F32(4),
    /** Signed 64-bit integer. */
    I64(8),
    /** Unsigned 64-bit integer. */
    U64(8),
    /** IEEE 754 double precision. */
    F64(8),
    /** Complex number of two fp32. */
    C64(8);

    private final int byteSize;

    SafetensorsDtype(int byteSize) {
        this.byteSize = byteSize;
    }

    /** @return bytes per element */
    public int byteSize() {
        return byteSize;
    }

    /** @return whether {@link SafetensorsReader} can decode this type to fp32 (F32, F16, BF16) */
    public boolean isReadableAsFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /**
     * @return whether tensors of this type can be read and written as {@link SafetensorsTensor}s:
     *     BOOL, U8, F16, BF16, I32, F32, I64, F64
     */
    public boolean isSupported() {
        return switch (this) {
            case BOOL, U8, F16, BF16, I32, F32, I64, F64 -> true;
            default -> false;
        };
    }

    /** @return the {@linkplain #isSupported() supported} types, in declaration (size) order */
    public static List<SafetensorsDtype> supported() {
        return Arrays.stream(values()).filter(SafetensorsDtype::isSupported).toList();
    }

    /** @return {@code "unsupported dtype X; supported: [BOOL, U8, F16, BF16, I32, F32, I64, F64]"} */
    String unsupportedMessage() {
        return "unsupported dtype " + name() + "; supported: " + supported();
    }
}
