/**
 * Our own reader and writer of <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * files (DJL's {@code NDList} decoder cannot be used: DJL crashes the JVM on BF16 and INT16).
 *
 * <p>Format: an unsigned 64-bit little-endian header length {@code N} (at most 100 MB), {@code N}
 * bytes of UTF-8 JSON mapping tensor names to {@code {"dtype", "shape", "data_offsets": [begin,
 * end]}} plus an optional {@code "__metadata__"} object of strings, then the packed row-major
 * little-endian data; offsets are relative to the start of the data and must tile it exactly.
 *
 * <h2>Entry points</h2>
 * <ul>
 *   <li>{@link dev.peft4j.core.io.safetensors.SafetensorsReader#open} maps a file
 *       ({@code java.lang.foreign}, {@code long} offsets: files and tensors over 2 GiB work) and
 *       hands out typed {@link dev.peft4j.core.io.safetensors.SafetensorsTensor} views without
 *       reading data up front;
 *       {@link dev.peft4j.core.io.safetensors.SafetensorsReader#readTensors} copies every tensor
 *       in its own dtype; {@link dev.peft4j.core.io.safetensors.SafetensorsReader#read} decodes
 *       float tensors into fp32 {@link dev.peft4j.core.io.HostTensor}s, the type the models use.
 *   <li>{@link dev.peft4j.core.io.safetensors.SafetensorsWriter#write} writes fp32 host tensors as
 *       F32; {@link dev.peft4j.core.io.safetensors.SafetensorsWriter#writeTensors} writes typed
 *       tensors built with {@link dev.peft4j.core.io.safetensors.SafetensorsTensors}. Writes are
 *       atomic (temporary file, fsync, rename).
 * </ul>
 *
 * <h2>Dtypes</h2>
 * <table>
 *   <caption>safetensors dtypes and how peft4j reads and writes them</caption>
 *   <tr><th>dtype</th><th>bytes</th><th>read as</th><th>fp32 {@code HostTensor}</th><th>written from</th></tr>
 *   <tr><td>F32</td><td>4</td><td>{@code float} (exact)</td><td>yes</td>
 *       <td>{@code float[]}, {@code HostTensor}</td></tr>
 *   <tr><td>F16</td><td>2</td><td>{@code float}, widened exactly in Java</td><td>yes</td>
 *       <td>{@code float[]} rounded to nearest, ties to even</td></tr>
 *   <tr><td>BF16</td><td>2</td><td>{@code float}, widened exactly in Java (never handed to DJL)</td>
 *       <td>yes</td><td>{@code float[]} rounded to nearest, ties to even</td></tr>
 *   <tr><td>F64</td><td>8</td><td>{@code double} (exact)</td><td>no (it would round)</td>
 *       <td>{@code double[]}, {@code HostTensor} (exact)</td></tr>
 *   <tr><td>I64</td><td>8</td><td>{@code long}</td><td>no</td><td>{@code long[]}</td></tr>
 *   <tr><td>I32</td><td>4</td><td>{@code int} / {@code long}</td><td>no</td><td>{@code int[]}</td></tr>
 *   <tr><td>U8</td><td>1</td><td>{@code int} / {@code long} 0..255, raw {@code byte}</td><td>no</td>
 *       <td>{@code byte[]} (unsigned)</td></tr>
 *   <tr><td>BOOL</td><td>1</td><td>{@code boolean} (bytes must be 0 or 1), {@code int} / {@code long}
 *       0/1</td><td>no</td><td>{@code boolean[]}</td></tr>
 *   <tr><td>I8, I16, U16, U32, U64, C64, F8_E4M3, F8_E5M2, F8_E8M0</td><td>1-8</td>
 *       <td colspan="3">valid in a header (the rest of the file stays readable); reading such a
 *       tensor fails with {@code unsupported dtype X; supported: [BOOL, U8, F16, BF16, I32, F32,
 *       I64, F64]}</td></tr>
 *   <tr><td>anything else (F4, F6_*, typos)</td><td></td>
 *       <td colspan="3">the header is rejected: {@code unknown dtype 'X'; known: [...]}</td></tr>
 * </table>
 *
 * <h2>Errors</h2>
 * A file that breaks the format fails with
 * {@link dev.peft4j.core.io.safetensors.SafetensorsFormatException}, naming the file and the problem,
 * before any data is read; a fixed-seed fuzz test holds the reader to this (every mutant of a valid
 * file either loads completely or throws that exception).
 */
package dev.peft4j.core.io.safetensors;
