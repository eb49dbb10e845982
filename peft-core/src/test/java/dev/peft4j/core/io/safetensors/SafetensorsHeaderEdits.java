package dev.peft4j.core.io.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * JSON-aware mutations of a safetensors header for {@link SafetensorsFuzzTest}: each parses the
 * header, changes one thing (an offset, a dimension, a dtype, a key, the metadata, a repeated
 * name), re-serialises it and, usually, fixes up the length prefix. Two of the edits keep the file
 * consistent (a reshape with the same element count, a dtype of the same width), so some mutants
 * must load.
 */
final class SafetensorsHeaderEdits {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private static final String[] DTYPES = {"F32", "F16", "BF16", "F64", "I64", "I32", "U8", "BOOL", "I8",
        "I16", "U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "C64", "F17", "f32", "", "F4"};

    private SafetensorsHeaderEdits() {}

    /**
     * @param seed a valid file
     * @param headerEnd {@code 8 +} its header length
     * @param random the fuzz test's seeded source
     * @return the mutated file
     */
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
