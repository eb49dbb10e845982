package dev.peft4j.core.io.safetensors;

import static dev.peft4j.core.io.safetensors.SafetensorsFiles.raw;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every layout rule of the format, each broken once, with the exact message a user sees. */
class SafetensorsRejectionTest {

    @TempDir
    Path dir;

    private Path file;

    private Path write(String header, int dataBytes) throws IOException {
        file = raw(dir.resolve("bad.safetensors"), header, new byte[dataBytes]);
        return file;
    }

    private void assertRejected(String message) {
        assertThatThrownBy(() -> SafetensorsReader.read(file))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(message);
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("nope.safetensors");
        assertThatThrownBy(() -> SafetensorsReader.read(missing))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("safetensors file not found: " + missing);
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        file = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3});
        assertRejected("not a safetensors file: " + file + ": 3 bytes, shorter than the 8-byte header length prefix");
    }

    @Test
    void headerLengthOver100Mb() throws IOException {
        file = raw(dir.resolve("huge.safetensors"), 100L * 1024 * 1024 + 1, new byte[0], new byte[0]);
        assertRejected("safetensors header of " + file
                + " claims 104857601 bytes, over the 100 MB limit (104857600 bytes)");
    }

    @Test
    void headerLengthWithTheTopBitSetIsPrintedUnsigned() throws IOException {
        file = raw(dir.resolve("huge.safetensors"), -1L, new byte[0], new byte[0]);
        assertRejected("safetensors header of " + file
                + " claims 18446744073709551615 bytes, over the 100 MB limit (104857600 bytes)");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        file = raw(dir.resolve("cut.safetensors"), 64, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertRejected("safetensors header of " + file + " claims 64 bytes, but only 2 bytes follow the 8-byte length prefix");
    }

    @Test
    void malformedJson() throws IOException {
        write("{\"a\": {\"dtype\": \"F32\",", 0);
        assertRejected("safetensors header of " + file + " is not valid JSON: Unexpected end-of-input within/between Object entries (at byte 22 of the header)");
    }

    @Test
    void contentAfterTheRootObject() throws IOException {
        write("{} {}", 0);
        assertRejected("safetensors header of " + file + " is not valid JSON: content after the closing '}'");
    }

    @Test
    void headerThatIsNotAnObject() throws IOException {
        write("[1, 2]", 0);
        assertRejected("safetensors header of " + file + " must be a JSON object, got an array");
    }

    @Test
    void duplicateTensorName() throws IOException {
        write("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
        assertRejected("duplicate tensor name 'w' in safetensors header of " + file);
    }

    @Test
    void unknownDtype() throws IOException {
        write("{\"w\":{\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        assertRejected("tensor 'w' in " + file + " has unknown dtype 'F17'; known: [BF16, BOOL, C64, F16, F32, F64,"
                + " F8_E4M3, F8_E5M2, F8_E8M0, I16, I32, I64, I8, U16, U32, U64, U8]");
    }

    @Test
    void missingKey() throws IOException {
        write("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4);
        assertRejected("tensor 'w' in " + file + " has no 'shape'");
    }

    @Test
    void negativeDimension() throws IOException {
        write("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4);
        assertRejected("tensor 'w' in " + file + ": 'shape' must be an array of non-negative integers, got [-1]");
    }

    @Test
    void reversedOffsets() throws IOException {
        write("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4);
        assertRejected("tensor 'w' in " + file
                + ": 'data_offsets' must be [begin, end] with 0 <= begin <= end, got [4, 0]");
    }

    @Test
    void shapeAndOffsetsDisagree() throws IOException {
        write("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20);
        assertRejected("tensor 'w' in " + file + ": shape [2, 3] of F32 needs 24 bytes, but data_offsets [0, 20] span 20");
    }

    @Test
    void offsetsBeyondTheData() throws IOException {
        write("{\"w\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]}}", 20);
        assertRejected("tensor 'w' in " + file + ": data_offsets [0, 24] end beyond the 20-byte data section");
    }

    @Test
    void overlappingTensors() throws IOException {
        write("{\"a\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[16,40]}}", 40);
        assertRejected("tensors 'a' and 'b' in " + file + " overlap: data_offsets [0, 24] and [16, 40]");
    }

    @Test
    void gapBetweenTensors() throws IOException {
        write("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[32,40]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]}}", 40);
        assertRejected("gap in the data section of " + file + ": bytes [24, 32) belong to no tensor");
    }

    @Test
    void gapAtTheStart() throws IOException {
        write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8);
        assertRejected("gap in the data section of " + file + ": bytes [0, 4) belong to no tensor");
    }

    @Test
    void trailingBytesAfterTheLastTensor() throws IOException {
        write("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12);
        assertRejected("gap in the data section of " + file + ": bytes [4, 12) belong to no tensor");
    }

    @Test
    void metadataMustMapStringsToStrings() throws IOException {
        write("{\"__metadata__\":{\"format\":1}}", 0);
        assertRejected("'__metadata__' in safetensors header of " + file
                + " must be an object of string values, got {\"format\":1}");
    }

    @Test
    void headerOnlyReadValidatesToo() throws IOException {
        write("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20);
        assertThatThrownBy(() -> SafetensorsReader.readHeader(file))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith("tensor 'w' in " + file + ": shape [2, 3]");
    }
}
