package dev.peft4j.core.io.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peft4j.core.io.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fp32 to F16 / BF16 narrowing against bit patterns worked out by hand: round to nearest, ties to
 * even (IEEE 754 roundTiesToEven), with overflow to infinity, subnormals, signed zeros and NaN.
 */
class SafetensorsNarrowingTest {

    @TempDir
    Path dir;

    private static float bits(int bits) {
        return Float.intBitsToFloat(bits);
    }

    private static int[] halves(SafetensorsTensor tensor) {
        ByteBuffer bytes = ByteBuffer.wrap(tensor.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[bytes.remaining() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.getShort() & 0xFFFF;
        }
        return out;
    }

    private static int f16(float value) {
        return halves(SafetensorsTensors.ofF16(new long[] {1}, value))[0];
    }

    private static int bf16(float value) {
        return halves(SafetensorsTensors.ofBf16(new long[] {1}, value))[0];
    }

    @Test
    void f16RoundsToNearestTiesToEven() {
        // binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits; ulp(1) = 2^-10.
        assertThat(f16(1.0f)).isEqualTo(0x3C00);
        assertThat(f16(1 + 0x1p-11f)).isEqualTo(0x3C00); // tie between mantissa 0 and 1: even 0
        assertThat(f16(1 + 0x3p-11f)).isEqualTo(0x3C02); // tie between 1 and 2: even 2
        assertThat(f16(1 + 0x1p-11f + 0x1p-20f)).isEqualTo(0x3C01); // just above the tie: up
        assertThat(f16(-2.0f)).isEqualTo(0xC000);
        assertThat(f16(-0.0f)).isEqualTo(0x8000);
    }

    @Test
    void f16OverflowsToInfinityAtTheRoundingBoundary() {
        assertThat(f16(65504f)).isEqualTo(0x7BFF); // largest finite: 2^15 * (2 - 2^-10)
        assertThat(f16(65520f - 0x1p-8f)).isEqualTo(0x7BFF); // below the midpoint 65520
        assertThat(f16(65520f)).isEqualTo(0x7C00); // midpoint to 65536: ties to even = overflow
        assertThat(f16(1e6f)).isEqualTo(0x7C00);
        assertThat(f16(-1e6f)).isEqualTo(0xFC00);
        assertThat(f16(Float.POSITIVE_INFINITY)).isEqualTo(0x7C00);
        assertThat(f16(Float.NEGATIVE_INFINITY)).isEqualTo(0xFC00);
    }

    @Test
    void f16SubnormalsRoundTiesToEven() {
        // subnormal binary16 = m * 2^-24
        assertThat(f16(0x1p-24f)).isEqualTo(0x0001); // smallest subnormal
        assertThat(f16(0x1p-25f)).isEqualTo(0x0000); // half of it: tie to even zero
        assertThat(f16(0x1p-25f + 0x1p-40f)).isEqualTo(0x0001); // above the tie
        assertThat(f16(0x3p-25f)).isEqualTo(0x0002); // 1.5 * 2^-24: tie to even 2
        assertThat(f16(-0x1p-26f)).isEqualTo(0x8000); // underflow keeps the sign
        assertThat(f16(1023.5f * 0x1p-24f)).isEqualTo(0x0400); // tie between the largest subnormal and 2^-14
        assertThat(f16(0x1p-14f)).isEqualTo(0x0400); // smallest normal
    }

    @Test
    void f16KeepsNaNaNaN() {
        for (int nan : new int[] {0x7FC00000, 0x7F800001, 0xFFC00000, 0x7FFFFFFF}) {
            int half = f16(bits(nan));
            assertThat(half & 0x7C00).as("exponent of %08x", nan).isEqualTo(0x7C00);
            assertThat(half & 0x03FF).as("mantissa of %08x", nan).isNotZero();
            assertThat(half & 0x8000).as("sign of %08x", nan).isEqualTo(nan < 0 ? 0x8000 : 0);
        }
    }

    @Test
    void bf16RoundsToNearestTiesToEven() {
        // bfloat16: the upper half of an fp32; ulp(1) = 2^-7.
        assertThat(bf16(1.0f)).isEqualTo(0x3F80);
        assertThat(bf16(1 + 0x1p-8f)).isEqualTo(0x3F80); // tie: even mantissa 0
        assertThat(bf16(1 + 0x3p-8f)).isEqualTo(0x3F82); // tie between 1 and 2: even 2
        assertThat(bf16(1 + 0x1p-8f + 0x1p-20f)).isEqualTo(0x3F81); // above the tie
        assertThat(bf16((float) Math.PI)).isEqualTo(0x4049); // 0x40490FDB: low half below 0x8000
        assertThat(bf16(-0.0f)).isEqualTo(0x8000);
    }

    @Test
    void bf16OverflowsToInfinityAtTheRoundingBoundary() {
        assertThat(bf16(bits(0x7F7F7FFF))).isEqualTo(0x7F7F); // below the tie: largest finite bf16
        assertThat(bf16(bits(0x7F7F8000))).isEqualTo(0x7F80); // tie, 0x7F7F odd: up, carries into inf
        assertThat(bf16(Float.MAX_VALUE)).isEqualTo(0x7F80);
        assertThat(bf16(-Float.MAX_VALUE)).isEqualTo(0xFF80);
        assertThat(bf16(Float.POSITIVE_INFINITY)).isEqualTo(0x7F80);
        assertThat(bf16(Float.NEGATIVE_INFINITY)).isEqualTo(0xFF80);
    }

    @Test
    void bf16SubnormalsRoundTiesToEven() {
        assertThat(bf16(bits(0x00008000))).isEqualTo(0x0000); // tie between 0 and 1: even 0
        assertThat(bf16(bits(0x00018000))).isEqualTo(0x0002); // tie between 1 and 2: even 2
        assertThat(bf16(bits(0x00010001))).isEqualTo(0x0001);
        assertThat(bf16(Float.MIN_VALUE)).isEqualTo(0x0000);
        assertThat(bf16(-Float.MIN_VALUE)).isEqualTo(0x8000);
        assertThat(bf16(bits(0x007FFFFF))).isEqualTo(0x0080); // largest fp32 subnormal rounds up to the smallest normal
    }

    @Test
    void bf16KeepsNaNaNaN() {
        assertThat(bf16(bits(0x7FC00000))).isEqualTo(0x7FC0);
        assertThat(bf16(bits(0x7F800001))).isEqualTo(0x7FC0); // payload only in the dropped half: still NaN
        assertThat(bf16(bits(0xFF800001))).isEqualTo(0xFFC0);
        assertThat(bf16(bits(0x7FFFFFFF))).isEqualTo(0x7FFF);
    }

    @Test
    void narrowedHostTensorsWriteTheRoundedBitsAndReadBackWidened() throws IOException {
        HostTensor host = new HostTensor(new long[] {2, 2}, new float[] {1 + 0x3p-8f, 65520f, 0x1p-25f, -0.0f});
        Path file = dir.resolve("narrow.safetensors");
        SafetensorsWriter.writeTensors(file, Map.of(
                "b", SafetensorsTensors.of(host, SafetensorsDtype.BF16),
                "h", SafetensorsTensors.of(host, SafetensorsDtype.F16)));

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ByteBuffer data = ByteBuffer.wrap(bytes, 8 + (int) headerLength, 16).order(ByteOrder.LITTLE_ENDIAN);
        int[] stored = new int[8];
        for (int i = 0; i < 8; i++) {
            stored[i] = data.getShort() & 0xFFFF;
        }
        assertThat(stored).containsExactly(
                // b (BF16): 1 + 3*2^-8 ties to even 1 + 2^-6; 65520 = 0x477FF000 -> 0x4780 (65536); 2^-25 exact
                0x3F82, 0x4780, 0x3300, 0x8000,
                // h (F16): 1 + 3*2^-8 exact; 65520 ties to even = overflow; 2^-25 ties to even zero
                0x3C0C, 0x7C00, 0x0000, 0x8000);
        var read = SafetensorsReader.read(file).tensors();
        assertThat(read.get("b").values()).containsExactly(1 + 0x1p-6f, 65536f, 0x1p-25f, -0.0f);
        assertThat(read.get("h").values()).containsExactly(1 + 0x3p-8f, Float.POSITIVE_INFINITY, 0.0f, -0.0f);
    }
}
