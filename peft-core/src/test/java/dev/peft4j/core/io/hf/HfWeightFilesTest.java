package dev.peft4j.core.io.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.io.ModelFormatException;
import dev.peft4j.core.io.safetensors.SafetensorsTensor;
import dev.peft4j.core.io.safetensors.SafetensorsTensors;
import dev.peft4j.core.io.safetensors.SafetensorsWriter;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Single-file and sharded HF weights: layouts, 16-bit widening, and every inconsistency named. */
class HfWeightFilesTest {

    private static final String SHARD_1 = "model-00001-of-00002.safetensors";
    private static final String SHARD_2 = "model-00002-of-00002.safetensors";

    @TempDir
    Path dir;

    private static HostTensor tensor(long[] shape, float... values) {
        return new HostTensor(shape, values);
    }

    private static Map<String, SafetensorsTensor> f32(Map<String, HostTensor> tensors) {
        Map<String, SafetensorsTensor> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> out.put(name, SafetensorsTensors.ofF32(t.shape(), t.values())));
        return out;
    }

    private static void index(Path dir, String weightMapJson) throws IOException {
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\": {\"total_size\": 40}, \"weight_map\": " + weightMapJson + "}");
    }

    /** Two shards: {@code a} and {@code b} in shard 1, {@code c} in shard 2. */
    private void twoShards() throws IOException {
        SafetensorsWriter.write(dir.resolve(SHARD_1), Map.of(
                "a", tensor(new long[] {2}, 1f, 2f), "b", tensor(new long[] {1, 2}, 3f, 4f)));
        SafetensorsWriter.write(dir.resolve(SHARD_2), Map.of("c", tensor(new long[] {2}, 5f, 6f)));
        index(dir, "{\"a\": \"" + SHARD_1 + "\", \"b\": \"" + SHARD_1 + "\", \"c\": \"" + SHARD_2 + "\"}");
    }

    @Test
    void singleFileReadsEveryFloatTensorAndListsIntegerBuffers() throws IOException {
        Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>();
        tensors.put("w", SafetensorsTensors.ofF32(new long[] {2, 2}, 1f, -2f, 0.5f, 8f));
        tensors.put("position_ids", SafetensorsTensors.ofI64(new long[] {1, 3}, 0, 1, 2));
        SafetensorsWriter.writeTensors(dir.resolve("model.safetensors"), tensors);

        HfWeights weights = HfWeightFiles.read(dir);

        assertThat(weights.tensors()).containsOnlyKeys("w");
        assertThat(weights.tensors().get("w")).isEqualTo(tensor(new long[] {2, 2}, 1f, -2f, 0.5f, 8f));
        assertThat(weights.sourceFiles()).isEqualTo(Map.of("w", "model.safetensors"));
        assertThat(weights.skippedTensors()).containsExactly("position_ids");
    }

    @Test
    void shardedCheckpointReadsEveryShardThroughItsIndex() throws IOException {
        twoShards();

        HfWeights weights = HfWeightFiles.read(dir);

        assertThat(weights.tensors()).containsOnlyKeys("a", "b", "c");
        assertThat(weights.tensors().get("b")).isEqualTo(tensor(new long[] {1, 2}, 3f, 4f));
        assertThat(weights.tensors().get("c")).isEqualTo(tensor(new long[] {2}, 5f, 6f));
        assertThat(weights.sourceFiles()).isEqualTo(Map.of("a", SHARD_1, "b", SHARD_1, "c", SHARD_2));
    }

    @Test
    void singleFileWinsOverAnIndexAsInTransformers() throws IOException {
        twoShards();
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("z", tensor(new long[] {1}, 7f)));

        assertThat(HfWeightFiles.read(dir).tensors()).containsOnlyKeys("z");
    }

    @Test
    void bf16AndF16ShardsWidenToExactlyTheF32Values() throws IOException {
        // Every value needs at most 8 significant bits and a small exponent: exact in BF16 and F16.
        float[] values = {1f, -2.5f, 0.0078125f, 96f, -0.375f, 0f};
        Path f32 = Files.createDirectory(dir.resolve("f32"));
        SafetensorsWriter.write(f32.resolve("model.safetensors"), Map.of("w", tensor(new long[] {2, 3}, values)));
        Path half = Files.createDirectory(dir.resolve("half"));
        SafetensorsWriter.writeTensors(half.resolve(SHARD_1), Map.of("w", SafetensorsTensors.ofBf16(new long[] {2, 3}, values)));
        SafetensorsWriter.writeTensors(half.resolve(SHARD_2), Map.of("v", SafetensorsTensors.ofF16(new long[] {6}, values)));
        index(half, "{\"w\": \"" + SHARD_1 + "\", \"v\": \"" + SHARD_2 + "\"}");

        HfWeights expected = HfWeightFiles.read(f32);
        HfWeights widened = HfWeightFiles.read(half);

        assertThat(widened.tensors().get("w")).isEqualTo(expected.tensors().get("w"));
        assertThat(widened.tensors().get("v").values()).containsExactly(values);
    }

    @Test
    void aMissingShardIsNamedWithTheTensorsItShouldHold() throws IOException {
        twoShards();
        Files.delete(dir.resolve(SHARD_1));

        assertThatThrownBy(() -> HfWeightFiles.read(dir))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("shard '" + SHARD_1 + "' named by model.safetensors.index.json in " + dir
                        + " does not exist (it should hold 'a' and 1 more)");
    }

    @Test
    void aTensorMissingFromItsShardIsNamed() throws IOException {
        twoShards();
        index(dir, "{\"a\": \"" + SHARD_1 + "\", \"b\": \"" + SHARD_1 + "\", \"c\": \"" + SHARD_2
                + "\", \"d\": \"" + SHARD_2 + "\"}");

        assertThatThrownBy(() -> HfWeightFiles.read(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("tensor 'd' is missing from shard '" + SHARD_2 + "' in " + dir
                        + ", where model.safetensors.index.json places it");
    }

    @Test
    void aTensorInTwoShardsIsRefused() throws IOException {
        twoShards();
        SafetensorsWriter.write(dir.resolve(SHARD_2), Map.of(
                "c", tensor(new long[] {2}, 5f, 6f), "a", tensor(new long[] {2}, 9f, 9f)));

        assertThatThrownBy(() -> HfWeightFiles.read(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("shard '" + SHARD_2 + "' in " + dir
                        + " holds tensor 'a', which model.safetensors.index.json places in shard '" + SHARD_1 + "'");
    }

    @Test
    void aShardTensorTheIndexDoesNotListIsRefused() throws IOException {
        twoShards();
        index(dir, "{\"a\": \"" + SHARD_1 + "\", \"c\": \"" + SHARD_2 + "\"}");

        assertThatThrownBy(() -> HfWeightFiles.read(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("shard '" + SHARD_1 + "' in " + dir
                        + " holds tensor 'b', which model.safetensors.index.json does not list");
    }

    @Test
    void anIndexNamingATensorTwiceIsRefused() throws IOException {
        twoShards();
        index(dir, "{\"a\": \"" + SHARD_1 + "\", \"a\": \"" + SHARD_2 + "\"}");

        assertThatThrownBy(() -> HfWeightFiles.read(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("invalid model.safetensors.index.json in " + dir + ": Duplicate field 'a'");
    }

    @Test
    void aShardOutsideTheDirectoryIsRefused() throws IOException {
        twoShards();
        index(dir, "{\"a\": \"../" + SHARD_1 + "\"}");

        assertThatThrownBy(() -> HfWeightFiles.read(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("model.safetensors.index.json in " + dir
                        + ": weight_map['a'] must be a shard file name in the model directory, got \"../" + SHARD_1 + "\"");
    }

    @Test
    void anIndexWithoutWeightMapIsRefused() throws IOException {
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\": {}}");

        assertThatThrownBy(() -> HfWeightFiles.read(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("model.safetensors.index.json in " + dir + " has no weight_map object");
    }

    @Test
    void aDirectoryWithoutWeightsSaysWhatItLooksFor() throws IOException {
        Files.writeString(dir.resolve("pytorch_model.bin"), "");

        assertThatThrownBy(() -> HfWeightFiles.read(dir))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("HF model directory " + dir + " has neither model.safetensors nor model.safetensors.index.json"
                        + " (found pytorch_model.bin, which peft4j does not read: convert it to safetensors)");
    }

    @Test
    void shardNamesComeOnceInIndexOrder() throws IOException {
        twoShards();

        HfShardIndex index = HfShardIndex.read(dir.resolve("model.safetensors.index.json"));

        assertThat(index.shards()).isEqualTo(List.of(SHARD_1, SHARD_2));
        assertThat(index.tensorsIn(SHARD_1)).containsExactly("a", "b");
    }
    @Test
    void mappedCheckpointKnowsEveryShapeFromTheHeadersAndReadsOneTensorAtATime() throws IOException {
        twoShards();
        try (HfCheckpointFiles files = HfCheckpointFiles.open(dir)) {
            assertThat(files.entries().keySet()).containsExactly("a", "b", "c");
            assertThat(files.entries().get("b").shape()).containsExactly(1, 2);
            assertThat(files.sourceFiles()).containsEntry("c", SHARD_2);
            assertThat(files.readFloat("c")).isEqualTo(tensor(new long[] {2}, 5f, 6f));
            assertThatThrownBy(() -> files.readFloat("d"))
                    .isInstanceOf(java.util.NoSuchElementException.class)
                    .hasMessage("no tensor 'd' in HF model directory " + dir);
        }
    }
}
