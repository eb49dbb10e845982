package dev.peft4j.core.io.safetensors;

import static dev.peft4j.core.io.safetensors.SafetensorsFiles.raw;
import static dev.peft4j.core.io.safetensors.SafetensorsFiles.shorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.io.HostTensor;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** F16 and BF16 bit patterns against values computed by hand from sign, exponent and mantissa. */
class SafetensorsWideningTest {

    @TempDir
    Path dir;

    @Test
    void f16WidensExactly() throws IOException {
        Path file = raw(dir.resolve("f16.safetensors"),
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,4],\"data_offsets\":[0,16]}}",
                shorts(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x3555, 0x8000, 0x0400));

        HostTensor h = SafetensorsReader.read(file).tensors().get("h");

        assertThat(h.shape()).containsExactly(2, 4);
        assertThat(h.values()).containsExactly(
                1.0f, // 0 01111 0000000000: 2^(15-15)
                -2.0f, // 1 10000 0000000000: -2^(16-15)
                65504.0f, // 0 11110 1111111111: 2^15 * (2 - 2^-10), the largest half
                0x1p-24f, // 0 00000 0000000001: smallest subnormal, 2^-14 * 2^-10
                Float.POSITIVE_INFINITY, // 0 11111 0000000000
                0.25f * (1 + 341f / 1024), // 0 01101 0101010101: 2^-2 * (1 + 0x155/1024)
                -0.0f, // 1 00000 0000000000
                0x1p-14f); // 0 00001 0000000000: smallest normal
    }

    @Test
    void bf16WidensExactly() throws IOException {
        Path file = raw(dir.resolve("bf16.safetensors"),
                "{\"b\":{\"dtype\":\"BF16\",\"shape\":[6],\"data_offsets\":[0,12]}}",
                shorts(0x3F80, 0xC040, 0x4049, 0x0001, 0xFF80, 0x7FC0));

        float[] values = SafetensorsReader.read(file).tensors().get("b").values();

        assertThat(values[0]).isEqualTo(1.0f); // 0 01111111 0000000: 2^(127-127)
        assertThat(values[1]).isEqualTo(-3.0f); // 1 10000000 1000000: -2 * 1.5
        assertThat(values[2]).isEqualTo(3.140625f); // 0 10000000 1001001: 2 * (1 + 73/128)
        assertThat(values[3]).isEqualTo(0x1p-133f); // subnormal: 2^-126 * 2^-7
        assertThat(values[4]).isEqualTo(Float.NEGATIVE_INFINITY); // 1 11111111 0000000
        assertThat(values[5]).isNaN(); // 0 11111111 1000000
    }

    @Test
    void mixedDtypesInOneFile() throws IOException {
        byte[] data = new byte[4 + 2 + 2];
        System.arraycopy(SafetensorsFiles.floats(0.5f), 0, data, 0, 4);
        System.arraycopy(shorts(0x3C00), 0, data, 4, 2);
        System.arraycopy(shorts(0x4000), 0, data, 6, 2);
        Path file = raw(dir.resolve("mixed.safetensors"),
                "{\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"y\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[4,6]},"
                        + "\"x\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[6,8]}}",
                data);

        var tensors = SafetensorsReader.read(file).tensors();

        assertThat(tensors.keySet()).containsExactly("z", "y", "x");
        assertThat(tensors.get("z").values()).containsExactly(0.5f);
        assertThat(tensors.get("y").values()).containsExactly(1.0f);
        assertThat(tensors.get("x").values()).containsExactly(2.0f);
    }

    @Test
    void integerTensorsValidateButOnlyDecodeWhenAskedTo() throws IOException {
        byte[] data = new byte[16 + 4];
        System.arraycopy(SafetensorsFiles.floats(7f), 0, data, 16, 4);
        Path file = raw(dir.resolve("ids.safetensors"),
                "{\"embeddings.position_ids\":{\"dtype\":\"I64\",\"shape\":[1,2],\"data_offsets\":[0,16]},"
                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}}",
                data);

        assertThat(SafetensorsReader.read(file, e -> e.dtype().isReadableAsFloat()).tensors())
                .containsOnlyKeys("w");
        assertThatThrownBy(() -> SafetensorsReader.read(file))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage("tensor 'embeddings.position_ids' in " + file
                        + " has dtype I64, which cannot be read as fp32; readable: [BF16, F16, F32]");
    }
}
