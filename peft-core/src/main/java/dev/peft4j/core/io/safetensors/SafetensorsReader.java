package dev.peft4j.core.io.safetensors;

import dev.peft4j.core.io.HostTensor;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads <a href="https://github.com/huggingface/safetensors">safetensors</a> files: an unsigned
 * 64-bit little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON ({@code {"name":
 * {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {..}}}), then
 * the packed row-major little-endian data, offsets relative to its start.
 *
 * <p>Two ways in. {@link #open(Path)} maps the file and hands out typed
 * {@link SafetensorsTensor} views of every supported dtype (BOOL, U8, F16, BF16, I32, F32, I64,
 * F64), without reading data up front: the way for large files and non-float tensors.
 * {@link #read(Path)} copies the tensors into fp32 {@link HostTensor}s: {@code F32} as is,
 * {@code F16} and {@code BF16} widened exactly in Java (never handed to DJL, which crashes the JVM
 * on BF16); other dtypes validate in the header but cannot be read this way, skip them with the
 * {@code include} filter. The whole header is validated before any data is read (see
 * {@link SafetensorsFormatException}), so every data access stays inside the file.
 */
public final class SafetensorsReader {

    /** The largest header accepted, 100 MB (as HF's reference implementation). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private SafetensorsReader() {}

    /**
     * Maps a file and validates its header; tensors are read on demand.
     *
     * @param file a safetensors file
     * @return the mapped file; close it (try-with-resources) to unmap
     * @throws FileNotFoundException {@code safetensors file not found: <file>}
     * @throws SafetensorsFormatException if the header breaks the format
     * @throws IOException if reading or mapping fails
     */
    public static SafetensorsMappedFile open(Path file) throws IOException {
        return SafetensorsMappedFile.open(file);
    }

    /**
     * Reads and validates only the header.
     *
     * @param file a safetensors file
     * @return the header, entries in offset order
     * @throws FileNotFoundException {@code safetensors file not found: <file>}
     * @throws SafetensorsFormatException if the header breaks the format
     * @throws IOException if reading fails
     */
    public static SafetensorsHeader readHeader(Path file) throws IOException {
        try (SafetensorsMappedFile mapped = open(file)) {
            return mapped.header();
        }
    }

    /**
     * Reads every tensor in its own dtype, as heap copies that outlive the file (for large files
     * prefer {@link #open(Path)}, which copies nothing). The metadata is in {@link #readHeader}.
     *
     * @param file a safetensors file
     * @return name to tensor, in file order
     * @throws FileNotFoundException {@code safetensors file not found: <file>}
     * @throws SafetensorsFormatException if the header breaks the format, a tensor has an
     *     unsupported dtype or a BOOL byte other than 0 and 1
     * @throws IOException if reading fails
     */
    public static Map<String, SafetensorsTensor> readTensors(Path file) throws IOException {
        try (SafetensorsMappedFile mapped = open(file)) {
            Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>();
            for (SafetensorsEntry entry : mapped.entries()) {
                tensors.put(entry.name(), mapped.tensor(entry.name()).copy());
            }
            return tensors;
        }
    }

    /**
     * Reads every tensor, all of which must be F32, F16 or BF16.
     *
     * @param file a safetensors file
     * @return the tensors as fp32, in file order, and the metadata
     * @throws FileNotFoundException {@code safetensors file not found: <file>}
     * @throws SafetensorsFormatException if the header breaks the format or a tensor has a dtype
     *     that cannot be read as fp32
     * @throws IOException if reading fails
     */
    public static SafetensorsFile read(Path file) throws IOException {
        return read(file, entry -> true);
    }

    /**
     * Reads the tensors the filter accepts as fp32; the header is validated in full either way.
     *
     * @param file a safetensors file
     * @param include selects the entries to decode (e.g. {@code e -> e.dtype().isReadableAsFloat()})
     * @return the selected tensors as fp32, in file order, and the metadata
     * @throws FileNotFoundException {@code safetensors file not found: <file>}
     * @throws SafetensorsFormatException if the header breaks the format, or a selected tensor has
     *     an unsupported dtype ({@code tensor 'x' in <file>: unsupported dtype I8; supported: [...]}),
     *     a supported dtype that is not F32, F16 or BF16 ({@code tensor 'x' in <file> has dtype I64,
     *     which cannot be read as fp32; readable: [BF16, F16, F32]}), or more elements than a Java
     *     array holds
     * @throws IOException if reading fails
     */
    public static SafetensorsFile read(Path file, Predicate<SafetensorsEntry> include) throws IOException {
        try (SafetensorsMappedFile mapped = open(file)) {
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (SafetensorsEntry entry : mapped.entries()) {
                if (include.test(entry)) {
                    tensors.put(entry.name(), hostTensor(mapped, entry));
                }
            }
            return new SafetensorsFile(tensors, mapped.metadata());
        }
    }

    private static HostTensor hostTensor(SafetensorsMappedFile mapped, SafetensorsEntry entry) throws IOException {
        SafetensorsTensor tensor = mapped.tensor(entry.name());
        if (!tensor.dtype().isReadableAsFloat()) {
            throw new SafetensorsFormatException("tensor '" + entry.name() + "' in " + mapped.file() + " has dtype "
                    + tensor.dtype() + ", which cannot be read as fp32; readable: [BF16, F16, F32]");
        }
        if (tensor.elementCount() > SafetensorsTensor.MAX_ARRAY_LENGTH) {
            throw new SafetensorsFormatException("tensor '" + entry.name() + "' in " + mapped.file() + " has "
                    + tensor.elementCount() + " elements, more than a Java array holds");
        }
        return tensor.toHostTensor();
    }
}
