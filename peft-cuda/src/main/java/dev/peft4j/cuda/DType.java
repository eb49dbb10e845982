package dev.peft4j.cuda;

/** The element type of a kernel's inputs (x, dy, A, B); outputs and accumulation are always fp32. */
public enum DType {
    /** IEEE 754 binary32. */
    F32(4, "f32"),
    /** bfloat16: the top 16 bits of a binary32, see {@link Bf16}. */
    BF16(2, "bf16");

    private final int bytes;
    private final String suffix;

    DType(int bytes, String suffix) {
        this.bytes = bytes;
        this.suffix = suffix;
    }

    /** @return bytes per element */
    public int bytes() {
        return bytes;
    }

    /** @return the kernel name suffix ({@code f32}, {@code bf16}) */
    public String suffix() {
        return suffix;
    }
}
