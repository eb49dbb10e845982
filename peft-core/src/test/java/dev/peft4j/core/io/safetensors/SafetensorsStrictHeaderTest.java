package dev.peft4j.core.io.safetensors;

import static dev.peft4j.core.io.safetensors.SafetensorsFiles.raw;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The header rules beyond the basic layout (see {@link SafetensorsRejectionTest}): offsets that are
 * not two non-negative integers, overflowing shapes, repeated keys at every level, unknown keys,
 * wrong JSON types, bad UTF-8 and unsupported dtypes, each with the exact message.
 */
class SafetensorsStrictHeaderTest {

    @TempDir
    Path dir;

    private Path file;

    private void write(String header, int dataBytes) throws IOException {
        file = raw(dir.resolve("bad.safetensors"), header, new byte[dataBytes]);
    }

    private static String tensor(String dtype, String shape, String offsets) {
        return "{\"w\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    private void assertRejected(String message) {
        assertThatThrownBy(() -> SafetensorsReader.readHeader(file))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> SafetensorsReader.open(file))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(message);
    }

    @Test
    void offsetsWithThreeNumbers() throws IOException {
        write(tensor("\"F32\"", "[1]", "[0,4,8]"), 8);
        assertRejected("tensor 'w' in " + file
                + ": 'data_offsets' must be [begin, end] with 0 <= begin <= end, got [0, 4, 8]");
    }

    @Test
    void offsetsWithOneNumber() throws IOException {
        write(tensor("\"F32\"", "[1]", "[4]"), 4);
        assertRejected("tensor 'w' in " + file
                + ": 'data_offsets' must be [begin, end] with 0 <= begin <= end, got [4]");
    }

    @Test
    void negativeOffset() throws IOException {
        write(tensor("\"F32\"", "[1]", "[-4,0]"), 4);
        assertRejected("tensor 'w' in " + file + ": 'data_offsets' must be an array of non-negative integers, got [-4,0]");
    }

    @Test
    void fractionalOffset() throws IOException {
        write(tensor("\"F32\"", "[1]", "[0,4.0]"), 4);
        assertRejected("tensor 'w' in " + file + ": 'data_offsets' must be an array of non-negative integers, got [0,4.0]");
    }

    @Test
    void offsetBeyondALong() throws IOException {
        write(tensor("\"F32\"", "[1]", "[0,18446744073709551620]"), 4);
        assertRejected("tensor 'w' in " + file
                + ": 'data_offsets' must be an array of non-negative integers, got [0,18446744073709551620]");
    }

    @Test
    void offsetsThatAreNotAnArray() throws IOException {
        write(tensor("\"F32\"", "[1]", "\"0-4\""), 4);
        assertRejected("tensor 'w' in " + file + ": 'data_offsets' must be an array of non-negative integers, got \"0-4\"");
    }

    @Test
    void shapeWithAString() throws IOException {
        write(tensor("\"F32\"", "[\"2\"]", "[0,8]"), 8);
        assertRejected("tensor 'w' in " + file + ": 'shape' must be an array of non-negative integers, got [\"2\"]");
    }

    @Test
    void shapeProductOverflow() throws IOException {
        write(tensor("\"F32\"", "[4294967296,4294967296]", "[0,4]"), 4);
        assertRejected("tensor 'w' in " + file + ": shape [4294967296, 4294967296] of F32 overflows a 64-bit byte count");
    }

    @Test
    void byteCountOverflowAfterAFittingElementCount() throws IOException {
        write(tensor("\"F64\"", "[2305843009213693952]", "[0,8]"), 8); // 2^61 elements * 8 bytes = 2^64
        assertRejected("tensor 'w' in " + file + ": shape [2305843009213693952] of F64 overflows a 64-bit byte count");
    }

    @Test
    void hugeShapeWithAZeroDimensionIsEmpty() throws IOException {
        write(tensor("\"F32\"", "[0,9223372036854775807]", "[0,0]"), 0);
        // valid: no element; header-only read succeeds
        org.assertj.core.api.Assertions.assertThat(SafetensorsReader.readHeader(file).entries()).hasSize(1);
    }

    @Test
    void dtypeThatIsNotAString() throws IOException {
        write(tensor("7", "[1]", "[0,4]"), 4);
        assertRejected("tensor 'w' in " + file + " has unknown dtype 7; known: [BF16, BOOL, C64, F16, F32, F64,"
                + " F8_E4M3, F8_E5M2, F8_E8M0, I16, I32, I64, I8, U16, U32, U64, U8]");
    }

    @Test
    void lowerCaseDtypeIsUnknown() throws IOException {
        write(tensor("\"f32\"", "[1]", "[0,4]"), 4);
        assertRejected("tensor 'w' in " + file + " has unknown dtype 'f32'; known: [BF16, BOOL, C64, F16, F32, F64,"
                + " F8_E4M3, F8_E5M2, F8_E8M0, I16, I32, I64, I8, U16, U32, U64, U8]");
    }

    @Test
    void tensorThatIsNotAnObject() throws IOException {
        write("{\"w\":[0,4]}", 4);
        assertRejected("tensor 'w' in " + file + " must be an object with dtype, shape and data_offsets, got [0,4]");
    }

    @Test
    void missingOffsets() throws IOException {
        write("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4);
        assertRejected("tensor 'w' in " + file + " has no 'data_offsets'");
    }

    @Test
    void unknownKeyInATensor() throws IOException {
        write("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"offsets\":[0,4]}}", 4);
        assertRejected("tensor 'w' in " + file + " has unknown key 'offsets'; allowed: [dtype, shape, data_offsets]");
    }

    @Test
    void duplicateKeyInsideATensorIsCaughtNotSilentlyOverwritten() throws IOException {
        write("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        assertRejected("safetensors header of " + file + " is not valid JSON: Duplicate field 'shape' for `ObjectNode`:"
                + " not allowed when `DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY` enabled (at byte 40 of the header)");
    }

    @Test
    void duplicateMetadataObject() throws IOException {
        write("{\"__metadata__\":{},\"__metadata__\":{\"format\":\"pt\"}}", 0);
        assertRejected("duplicate key '__metadata__' in safetensors header of " + file);
    }

    @Test
    void duplicateMetadataKey() throws IOException {
        write("{\"__metadata__\":{\"format\":\"pt\",\"format\":\"np\"}}", 0);
        assertRejected("safetensors header of " + file + " is not valid JSON: Duplicate field 'format' for `ObjectNode`:"
                + " not allowed when `DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY` enabled (at byte 40 of the header)");
    }

    @Test
    void invalidUtf8() throws IOException {
        byte[] header = "{\"w\u00e9\":{}}".getBytes(StandardCharsets.UTF_8);
        header[3] = (byte) 0xFF; // breaks the two-byte sequence of 'é'
        file = raw(dir.resolve("bad.safetensors"), header.length, header, new byte[0]);
        assertRejected("safetensors header of " + file + " is not valid JSON: Invalid UTF-8 start byte 0xff (at byte 6 of the header)");
    }

    @Test
    void emptyHeader() throws IOException {
        write("", 0);
        assertRejected("safetensors header of " + file + " must be a JSON object, got nothing");
    }

    @Test
    void unsupportedDtypeValidatesInTheHeaderButCannotBeRead() throws IOException {
        write("{\"q\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", 6);

        org.assertj.core.api.Assertions.assertThat(
                SafetensorsReader.read(file, e -> e.dtype().isSupported()).tensors()).containsOnlyKeys("w");
        assertThatThrownBy(() -> SafetensorsReader.read(file))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage("tensor 'q' in " + file
                        + ": unsupported dtype I8; supported: [BOOL, U8, F16, BF16, I32, F32, I64, F64]");
        try (SafetensorsMappedFile mapped = SafetensorsReader.open(file)) {
            assertThatThrownBy(() -> mapped.tensor("q"))
                    .isInstanceOf(SafetensorsFormatException.class)
                    .hasMessage("tensor 'q' in " + file
                            + ": unsupported dtype I8; supported: [BOOL, U8, F16, BF16, I32, F32, I64, F64]");
        }
    }

    @Test
    void everyValidButUnsupportedDtypeIsNamed() throws IOException {
        for (SafetensorsDtype dtype : SafetensorsDtype.values()) {
            if (dtype.isSupported()) {
                continue;
            }
            int size = dtype.byteSize();
            write("{\"x\":{\"dtype\":\"" + dtype + "\",\"shape\":[1],\"data_offsets\":[0," + size + "]}}", size);
            try (SafetensorsMappedFile mapped = SafetensorsReader.open(file)) {
                assertThatThrownBy(() -> mapped.tensor("x"))
                        .isInstanceOf(SafetensorsFormatException.class)
                        .hasMessage("tensor 'x' in " + file + ": unsupported dtype " + dtype
                                + "; supported: [BOOL, U8, F16, BF16, I32, F32, I64, F64]");
            }
        }
    }

    @Test
    void boolBytesMustBeZeroOrOne() throws IOException {
        file = raw(dir.resolve("bad.safetensors"), "{\"m\":{\"dtype\":\"BOOL\",\"shape\":[4],\"data_offsets\":[0,4]}}",
                new byte[] {0, 1, 2, 1});
        try (SafetensorsMappedFile mapped = SafetensorsReader.open(file)) {
            assertThatThrownBy(() -> mapped.tensor("m"))
                    .isInstanceOf(SafetensorsFormatException.class)
                    .hasMessage("tensor 'm' in " + file + ": BOOL element 2 is 0x02; allowed: 0x00 (false), 0x01 (true)");
        }
    }
}
