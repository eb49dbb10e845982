package dev.peft4j.core.io.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every supported dtype written and read back bit for bit, through the mapped reader. */
class SafetensorsTypedRoundTripTest {

    private static final float F32_NAN_WITH_PAYLOAD = Float.intBitsToFloat(0x7FC00123);
    private static final double F64_NAN_WITH_PAYLOAD = Double.longBitsToDouble(0xFFF8000000000ABCL);

    @TempDir
    Path dir;

    private static Map<String, SafetensorsTensor> everyDtype() {
        Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>();
        tensors.put("u8", SafetensorsTensors.ofU8(new long[] {5}, (byte) 0, (byte) 1, (byte) 127, (byte) 128, (byte) 255));
        tensors.put("bool", SafetensorsTensors.ofBool(new long[] {3}, true, false, true));
        tensors.put("f16", SafetensorsTensors.ofF16(new long[] {2, 3},
                1.0f, -2.0f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY, -0.0f));
        tensors.put("bf16", SafetensorsTensors.ofBf16(new long[] {5},
                3.140625f, 0x1p-133f, Float.NEGATIVE_INFINITY, -0.0f, 0x1.fep127f));
        tensors.put("i32", SafetensorsTensors.ofI32(new long[] {4}, Integer.MIN_VALUE, -2, 0, Integer.MAX_VALUE));
        tensors.put("f32", SafetensorsTensors.ofF32(new long[] {}, F32_NAN_WITH_PAYLOAD));
        tensors.put("i64", SafetensorsTensors.ofI64(new long[] {3}, Long.MIN_VALUE, -1, Long.MAX_VALUE));
        tensors.put("f64", SafetensorsTensors.ofF64(new long[] {1, 4},
                Math.PI, Double.MIN_VALUE, -0.0, F64_NAN_WITH_PAYLOAD));
        tensors.put("empty", SafetensorsTensors.ofF32(new long[] {0, 7}));
        return tensors;
    }

    @Test
    void everyDtypeComesBackExactly() throws IOException {
        Path file = dir.resolve("typed.safetensors");
        SafetensorsWriter.writeTensors(file, everyDtype(), Map.of("format", "pt"));

        try (SafetensorsMappedFile read = SafetensorsReader.open(file)) {
            assertThat(read.metadata()).containsExactlyEntriesOf(Map.of("format", "pt"));
            for (Map.Entry<String, SafetensorsTensor> expected : everyDtype().entrySet()) {
                assertThat(read.tensor(expected.getKey())).as(expected.getKey()).isEqualTo(expected.getValue());
            }
            assertThat(read.tensor("u8").toLongArray()).containsExactly(0, 1, 127, 128, 255);
            assertThat(read.tensor("u8").toIntArray()).containsExactly(0, 1, 127, 128, 255);
            assertThat(read.tensor("bool").toBooleanArray()).containsExactly(true, false, true);
            assertThat(read.tensor("bool").toLongArray()).containsExactly(1, 0, 1);
            assertThat(read.tensor("f16").shape()).containsExactly(2, 3);
            assertThat(read.tensor("f16").toFloatArray())
                    .containsExactly(1.0f, -2.0f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY, -0.0f);
            assertThat(read.tensor("bf16").toFloatArray())
                    .containsExactly(3.140625f, 0x1p-133f, Float.NEGATIVE_INFINITY, -0.0f, 0x1.fep127f);
            assertThat(read.tensor("bf16").toDoubleArray()[0]).isEqualTo(3.140625);
            assertThat(read.tensor("i32").toIntArray()).containsExactly(Integer.MIN_VALUE, -2, 0, Integer.MAX_VALUE);
            assertThat(read.tensor("i32").getLong(1)).isEqualTo(-2L);
            assertThat(read.tensor("f32").shape()).isEmpty();
            assertThat(Float.floatToRawIntBits(read.tensor("f32").getFloat(0))).isEqualTo(0x7FC00123);
            assertThat(read.tensor("i64").toLongArray()).containsExactly(Long.MIN_VALUE, -1, Long.MAX_VALUE);
            double[] f64 = read.tensor("f64").toDoubleArray();
            assertThat(f64[0]).isEqualTo(Math.PI);
            assertThat(f64[1]).isEqualTo(Double.MIN_VALUE);
            assertThat(Double.doubleToRawLongBits(f64[2])).isEqualTo(Long.MIN_VALUE); // -0.0
            assertThat(Double.doubleToRawLongBits(f64[3])).isEqualTo(0xFFF8000000000ABCL);
            assertThat(read.tensor("empty").toFloatArray()).isEmpty();
        }
    }

    @Test
    void layoutIsWidestFirstThenByNameSoEveryTensorIsAligned() throws IOException {
        Path file = dir.resolve("typed.safetensors");
        SafetensorsWriter.writeTensors(file, everyDtype());

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);

        assertThat(headerLength % 8).isZero();
        assertThat(header.stripTrailing()).isEqualTo("{"
                + "\"f64\":{\"dtype\":\"F64\",\"shape\":[1,4],\"data_offsets\":[0,32]},"
                + "\"i64\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[32,56]},"
                + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,7],\"data_offsets\":[56,56]},"
                + "\"f32\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[56,60]},"
                + "\"i32\":{\"dtype\":\"I32\",\"shape\":[4],\"data_offsets\":[60,76]},"
                + "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[5],\"data_offsets\":[76,86]},"
                + "\"f16\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[86,98]},"
                + "\"bool\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[98,101]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[5],\"data_offsets\":[101,106]}}");
        assertThat(bytes).hasSize(8 + (int) headerLength + 106);
        ByteBuffer data = ByteBuffer.wrap(bytes, 8 + (int) headerLength + 60, 16).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(data.getInt()).isEqualTo(Integer.MIN_VALUE); // i32, little-endian at its offset
        assertThat(data.getInt()).isEqualTo(-2);
    }

    @Test
    void aMappedTensorCanBeWrittenStraightBack() throws IOException {
        Path first = dir.resolve("first.safetensors");
        Path second = dir.resolve("second.safetensors");
        SafetensorsWriter.writeTensors(first, everyDtype(), Map.of("format", "pt"));

        try (SafetensorsMappedFile mapped = SafetensorsReader.open(first)) {
            Map<String, SafetensorsTensor> copy = new LinkedHashMap<>();
            for (SafetensorsEntry entry : mapped.entries()) {
                copy.put(entry.name(), mapped.tensor(entry.name()));
            }
            SafetensorsWriter.writeTensors(second, copy, mapped.metadata());
        }

        assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
    }

    @Test
    void readTensorsCopiesEveryDtypeOutOfTheMapping() throws IOException {
        Path file = dir.resolve("typed.safetensors");
        SafetensorsWriter.writeTensors(file, everyDtype());

        Map<String, SafetensorsTensor> read = SafetensorsReader.readTensors(file);
        Files.delete(file);

        assertThat(read.keySet()).containsExactly("f64", "i64", "empty", "f32", "i32", "bf16", "f16", "bool", "u8");
        assertThat(read).containsExactlyInAnyOrderEntriesOf(everyDtype());
        assertThat(read.get("i64").toLongArray()).containsExactly(Long.MIN_VALUE, -1, Long.MAX_VALUE);
    }

    @Test
    void factoriesCopyTheirInput() {
        float[] values = {1, 2};
        SafetensorsTensor tensor = SafetensorsTensors.ofF32(new long[] {2}, values);
        values[0] = 9;

        assertThat(tensor.toFloatArray()).containsExactly(1, 2);
    }

    @Test
    void flatSliceReadsConsecutiveElements() {
        SafetensorsTensor tensor = SafetensorsTensors.ofI32(new long[] {2, 3}, 0, 1, 2, 3, 4, 5);

        SafetensorsTensor slice = tensor.flatSlice(2, 3);

        assertThat(slice.shape()).containsExactly(3);
        assertThat(slice.toIntArray()).containsExactly(2, 3, 4);
        assertThat(tensor.flatSlice(6, 0).elementCount()).isZero();
    }

    @Test
    void hostTensorsConvertToF64Exactly() {
        var host = new dev.peft4j.core.io.HostTensor(new long[] {2}, new float[] {0.1f, -0x1p-149f});

        SafetensorsTensor wide = SafetensorsTensors.of(host, SafetensorsDtype.F64);

        assertThat(wide.toDoubleArray()).containsExactly(0.1f, -0x1p-149f);
        assertThat(SafetensorsTensors.of(host, SafetensorsDtype.F32).toHostTensor()).isEqualTo(host);
    }
}
