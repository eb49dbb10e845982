package dev.peft4j.core.io.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.io.HostTensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates valid files 2,000 times with a fixed seed (truncation, bit flips, byte splices, length
 * prefix lies, appended bytes, data edits, and JSON-aware edits of offsets, shapes, dtypes, keys
 * and metadata). Every case, under a timeout, either opens and reads every tensor with every
 * accessor of its dtype, or throws {@link SafetensorsFormatException}; anything else (another
 * exception, a hang, an out-of-memory) fails with the case number and mutation.
 */
class SafetensorsFuzzTest {

    private static final long SEED = 0x5AFE7E45L;
    private static final int CASES = 2_000;
    private static final Duration PER_CASE = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    enum Mutation { TRUNCATE, BIT_FLIPS, HEADER_SPLICE, LENGTH_PREFIX, APPEND, DATA_EDIT, JSON_EDIT }

    private record Outcomes(int[] loaded, int[] rejected) {}

    @Test
    void everyMutantLoadsOrFailsWithAFormatException() throws Exception {
        List<byte[]> seeds = seedFiles();
        Random random = new Random(SEED);
        Map<Mutation, int[]> tally = new EnumMap<>(Mutation.class);
        Path file = dir.resolve("mutant.safetensors");
        long started = System.nanoTime();
        for (int i = 0; i < CASES; i++) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
            Files.write(file, mutate(mutation, seed, random));
            String label = "case " + i + " (" + mutation + ", seed " + SEED + ")";
            boolean loaded = assertTimeoutPreemptively(PER_CASE, () -> loadsOrRejects(file, label), label);
            tally.computeIfAbsent(mutation, m -> new int[2])[loaded ? 0 : 1]++;
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("safetensors fuzz: %d cases in %d ms; per mutation [loaded, rejected]: %s%n", CASES, millis,
                tally.entrySet().stream().map(e -> e.getKey() + "=" + Arrays.toString(e.getValue())).toList());

        assertThat(tally).containsOnlyKeys(Mutation.values());
        tally.values().forEach(counts -> assertThat(counts[0] + counts[1]).isGreaterThan(200));
        assertThat(tally.get(Mutation.TRUNCATE)[0]).as("a truncated file never loads").isZero();
        assertThat(tally.get(Mutation.JSON_EDIT)[0]).as("consistent JSON edits load").isGreaterThan(20);
        assertThat(tally.get(Mutation.JSON_EDIT)[1]).as("inconsistent JSON edits are caught").isGreaterThan(100);
        assertThat(tally.get(Mutation.DATA_EDIT)[0]).as("data edits mostly load").isGreaterThan(100);
    }

    /** @return whether the file loaded; a format exception means rejected; anything else fails */
    private static boolean loadsOrRejects(Path file, String label) {
        try {
            try (SafetensorsMappedFile mapped = SafetensorsReader.open(file)) {
                for (SafetensorsEntry entry : mapped.entries()) {
                    readEverything(mapped.tensor(entry.name()));
                }
            }
            SafetensorsReader.read(file, entry -> entry.dtype().isReadableAsFloat());
            return true;
        } catch (SafetensorsFormatException rejected) {
            assertThat(rejected.getMessage()).as(label).contains(file.toString());
            return false;
        } catch (Throwable unexpected) {
            throw new AssertionError(label + ": " + unexpected, unexpected);
        }
    }

    private static void readEverything(SafetensorsTensor tensor) {
        tensor.toByteArray();
        switch (tensor.dtype()) {
            case F32, F16, BF16 -> {
                tensor.toFloatArray();
                tensor.toDoubleArray();
                tensor.toHostTensor();
            }
            case F64 -> tensor.toDoubleArray();
            case I64 -> tensor.toLongArray();
            case I32, U8 -> {
                tensor.toLongArray();
                tensor.toIntArray();
            }
            case BOOL -> {
                tensor.toBooleanArray();
                tensor.toIntArray();
            }
            default -> throw new AssertionError("unsupported dtype handed out: " + tensor);
        }
        if (tensor.elementCount() > 0) {
            tensor.flatSlice(tensor.elementCount() - 1, 1).toByteArray();
        }
    }

    // ---- seeds -------------------------------------------------------------------------------

    private List<byte[]> seedFiles() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        Map<String, SafetensorsTensor> typed = new LinkedHashMap<>();
        typed.put("mask", SafetensorsTensors.ofBool(new long[] {2, 2}, true, false, false, true));
        typed.put("ids", SafetensorsTensors.ofI64(new long[] {1, 3}, 0, 1, 2));
        typed.put("bytes", SafetensorsTensors.ofU8(new long[] {3}, (byte) 1, (byte) 2, (byte) 250));
        typed.put("half", SafetensorsTensors.ofF16(new long[] {2, 2}, 1, -2, 0.5f, 65504));
        typed.put("brain", SafetensorsTensors.ofBf16(new long[] {3}, 1, 2, 3));
        typed.put("count", SafetensorsTensors.ofI32(new long[] {}, 42));
        typed.put("wide", SafetensorsTensors.ofF64(new long[] {2}, Math.E, -1));
        typed.put("none", SafetensorsTensors.ofF32(new long[] {0, 3}));
        Path typedFile = dir.resolve("typed.safetensors");
        SafetensorsWriter.writeTensors(typedFile, typed, Map.of("format", "pt"));
        seeds.add(Files.readAllBytes(typedFile));

        Path adapter = dir.resolve("adapter.safetensors");
        SafetensorsWriter.write(adapter, Map.of(
                "base_model.model.encoder.layer.0.attention.self.query.lora_A.weight",
                new HostTensor(new long[] {2, 4}, new float[] {1, 2, 3, 4, 5, 6, 7, 8}),
                "base_model.model.encoder.layer.0.attention.self.query.lora_B.weight",
                new HostTensor(new long[] {4, 2}, new float[8])));
        seeds.add(Files.readAllBytes(adapter));

        // Unaligned, hand-laid: a U8 tensor then an F32 at byte 3, keys not in offset order.
        String unaligned = "{\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[3,11]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]},"
                + "\"__metadata__\":{\"a\":\"b\"}}";
        byte[] data = ByteBuffer.allocate(11).order(ByteOrder.LITTLE_ENDIAN)
                .put(new byte[] {9, 8, 7}).putFloat(1.25f).putFloat(-4f).array();
        seeds.add(Files.readAllBytes(SafetensorsFiles.raw(dir.resolve("unaligned.safetensors"), unaligned, data)));

        seeds.add(Files.readAllBytes(SafetensorsFiles.raw(dir.resolve("empty.safetensors"), "{}      ", new byte[0])));
        for (byte[] seed : seeds) {
            Path check = Files.write(dir.resolve("check.safetensors"), seed);
            assertThat(loadsOrRejects(check, "seed")).as("every seed is valid").isTrue();
        }
        return seeds;
    }

    // ---- mutations ---------------------------------------------------------------------------

    private static byte[] mutate(Mutation mutation, byte[] seed, Random random) throws IOException {
        int headerEnd = (int) Math.min(seed.length, 8 + ByteBuffer.wrap(seed).order(ByteOrder.LITTLE_ENDIAN).getLong());
        byte[] out = seed.clone();
        switch (mutation) {
            case TRUNCATE -> out = Arrays.copyOf(seed, random.nextInt(seed.length));
            case BIT_FLIPS -> {
                int flips = 1 + random.nextInt(4);
                boolean headerOnly = random.nextBoolean();
                for (int f = 0; f < flips; f++) {
                    int at = random.nextInt(headerOnly ? headerEnd : seed.length);
                    out[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case HEADER_SPLICE -> {
                byte[] interesting = "{}[]\",:-0123456789.eE \\_".getBytes(StandardCharsets.US_ASCII);
                int edits = 1 + random.nextInt(3);
                for (int e = 0; e < edits; e++) {
                    int at = 8 + random.nextInt(Math.max(1, headerEnd - 8));
                    if (at < out.length) {
                        out[at] = interesting[random.nextInt(interesting.length)];
                    }
                }
            }
            case LENGTH_PREFIX -> {
                long length = headerEnd - 8L;
                long[] lies = {0, length - 1, length + 1, length - 8, length + 8, seed.length, seed.length - 7L,
                    -1, Long.MIN_VALUE, 100L * 1024 * 1024, 100L * 1024 * 1024 + 1, random.nextLong(),
                    random.nextInt(seed.length + 16)};
                ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, lies[random.nextInt(lies.length)]);
            }
            case APPEND -> {
                byte[] tail = new byte[1 + random.nextInt(16)];
                random.nextBytes(tail);
                out = Arrays.copyOf(seed, seed.length + tail.length);
                System.arraycopy(tail, 0, out, seed.length, tail.length);
            }
            case DATA_EDIT -> {
                if (seed.length > headerEnd) {
                    int edits = 1 + random.nextInt(4);
                    for (int e = 0; e < edits; e++) {
                        out[headerEnd + random.nextInt(seed.length - headerEnd)] = (byte) random.nextInt(256);
                    }
                }
            }
            case JSON_EDIT -> out = JsonEdits.apply(seed, headerEnd, random);
        }
        return out;
    }

    /** Edits that understand the header: each parses it, changes one thing, and re-serialises. */
    private static final class JsonEdits {

        private static final String[] DTYPES = {"F32", "F16", "BF16", "F64", "I64", "I32", "U8", "BOOL", "I8",
            "I16", "U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "C64", "F17", "f32", "", "F4"};

        static byte[] apply(byte[] seed, int headerEnd, Random random) throws IOException {
            ObjectNode root = (ObjectNode) JSON.readTree(Arrays.copyOfRange(seed, 8, headerEnd));
            List<String> names = new ArrayList<>();
            root.fieldNames().forEachRemaining(names::add);
            names.remove(SafetensorsHeaderParser.METADATA_KEY);
            String json;
            if (names.isEmpty() || random.nextInt(10) == 0) {
                json = editRoot(root, names, random);
            } else {
                String name = names.get(random.nextInt(names.size()));
                json = editTensor(root, name, (ObjectNode) root.get(name), random);
            }
            byte[] header = json.getBytes(StandardCharsets.UTF_8);
            long claimed = random.nextInt(8) == 0 ? headerEnd - 8L : header.length; // sometimes a stale length
            ByteBuffer out = ByteBuffer.allocate(8 + header.length + seed.length - headerEnd).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(claimed).put(header).put(seed, headerEnd, seed.length - headerEnd);
            return out.array();
        }

        private static String editRoot(ObjectNode root, List<String> names, Random random) throws IOException {
            switch (random.nextInt(5)) {
                case 0 -> root.putObject(SafetensorsHeaderParser.METADATA_KEY).put("format", random.nextInt(3));
                case 1 -> root.putArray(SafetensorsHeaderParser.METADATA_KEY).add("pt");
                case 2 -> root.putObject("extra").put("dtype", "F32").putArray("shape");
                case 3 -> root.removeAll();
                default -> {
                    if (!names.isEmpty()) {
                        JsonNode moved = root.remove(names.get(0));
                        root.set(SafetensorsHeaderParser.METADATA_KEY, moved);
                    }
                }
            }
            return JSON.writeValueAsString(root);
        }

        private static String editTensor(ObjectNode root, String name, ObjectNode tensor, Random random)
                throws IOException {
            ArrayNode offsets = (ArrayNode) tensor.get("data_offsets");
            ArrayNode shape = (ArrayNode) tensor.get("shape");
            long begin = offsets.get(0).longValue();
            long end = offsets.get(1).longValue();
            switch (random.nextInt(16)) {
                case 0 -> offsets.set(random.nextInt(2), JSON.getNodeFactory().numberNode(pick(random,
                        0, begin - 1, begin + 1, end - 1, end + 1, end + 4, -1, Long.MAX_VALUE, 1L << 40)));
                case 1 -> offsets.set(random.nextInt(2), JSON.getNodeFactory().numberNode(
                        BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(begin))));
                case 2 -> offsets.set(random.nextInt(2), random.nextBoolean()
                        ? JSON.getNodeFactory().numberNode(begin + 0.5) : JSON.getNodeFactory().textNode("0"));
                case 3 -> {
                    if (random.nextBoolean()) {
                        offsets.add(end);
                    } else {
                        offsets.remove(random.nextInt(2));
                    }
                }
                case 4 -> {
                    offsets.removeAll();
                    offsets.add(end).add(begin);
                }
                case 5 -> shape.add(pick(random, 0, 1, 2, 3, 1L << 32, Long.MAX_VALUE));
                case 6 -> {
                    if (!shape.isEmpty()) {
                        shape.remove(random.nextInt(shape.size()));
                    }
                }
                case 7 -> {
                    if (!shape.isEmpty()) {
                        shape.set(random.nextInt(shape.size()), JSON.getNodeFactory().numberNode(
                                pick(random, -1, 0, 1L << 31, 1L << 62, Long.MIN_VALUE)));
                    }
                }
                case 8 -> reshapeKeepingTheCount(shape); // consistent: loads
                case 9 -> tensor.put("dtype", DTYPES[random.nextInt(DTYPES.length)]);
                case 10 -> tensor.remove(List.of("dtype", "shape", "data_offsets").get(random.nextInt(3)));
                case 11 -> tensor.put("extra", 1);
                case 12 -> root.set(name, JSON.getNodeFactory().arrayNode().add(begin).add(end));
                case 13 -> { // a repeated tensor name, which Jackson's tree model cannot hold: splice it as text
                    String json = JSON.writeValueAsString(root);
                    return json.substring(0, json.length() - 1) + "," + JSON.writeValueAsString(name) + ":"
                            + JSON.writeValueAsString(tensor) + "}";
                }
                case 14 -> { // a repeated key inside the tensor
                    String json = JSON.writeValueAsString(root);
                    String entry = JSON.writeValueAsString(tensor);
                    String doubled = entry.substring(0, entry.length() - 1) + ",\"dtype\":\"F32\"}";
                    return json.replace(JSON.writeValueAsString(name) + ":" + entry,
                            JSON.writeValueAsString(name) + ":" + doubled);
                }
                default -> sameSizeDtype(tensor); // consistent: loads
            }
            return JSON.writeValueAsString(root);
        }

        private static long pick(Random random, long... choices) {
            return choices[random.nextInt(choices.length)];
        }

        /** {@code [a, b]} to {@code [b, a]} or {@code [a * b]}: the same element count. */
        private static void reshapeKeepingTheCount(ArrayNode shape) {
            if (shape.size() >= 2) {
                JsonNode first = shape.remove(0);
                shape.add(first);
            } else if (shape.size() == 1) {
                shape.insert(0, 1);
            } else {
                shape.add(1);
            }
        }

        /** Swaps to another dtype of the same width (F32 and I32, F16 and BF16, ...). */
        private static void sameSizeDtype(ObjectNode tensor) {
            String swapped = switch (tensor.get("dtype").asText()) {
                case "F32" -> "I32";
                case "I32" -> "F32";
                case "F16" -> "BF16";
                case "BF16" -> "F16";
                case "F64" -> "I64";
                case "I64" -> "F64";
                case "U8" -> "BOOL";
                default -> "U8";
            };
            tensor.put("dtype", swapped);
        }
    }
}
