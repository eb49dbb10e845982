package dev.peft4j.core.io.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.peft4j.core.io.HostTensor;
import java.io.IOException;
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

    @TempDir
    Path dir;

    enum Mutation { TRUNCATE, BIT_FLIPS, HEADER_SPLICE, LENGTH_PREFIX, APPEND, DATA_EDIT, JSON_EDIT }

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
            case JSON_EDIT -> out = SafetensorsHeaderEdits.apply(seed, headerEnd, random);
        }
        return out;
    }
}
