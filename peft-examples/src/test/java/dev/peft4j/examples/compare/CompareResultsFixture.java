package dev.peft4j.examples.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.examples.compare.MethodResult.Checkpoint;
import dev.peft4j.examples.compare.MethodResult.Epoch;
import dev.peft4j.examples.compare.MethodResult.Forgetting;
import dev.peft4j.examples.compare.MethodResult.Memory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A hand-built comparison with the README's MiniLM numbers: full, lora, bottleneck, prompt
 * finished, prefix failed; 100 updates each.
 */
public final class CompareResultsFixture {

    static final long MIB = 1024L * 1024L;
    static final long ALL_BASE = 22_713_602L;
    static final long FULL_MODEL_BYTES = 90_870_512L;
    public static final String PREFIX_FAILURE = "NaN loss at update 37 (lr 5e-4): see prefix/train.log";

    private CompareResultsFixture() {}

    /** @return the five-method comparison (prefix failed) */
    public static CompareResults results() {
        return of(List.of(full(), lora(), bottleneck(), MethodResult.failed("prefix", "PREFIX_TUNING", PREFIX_FAILURE),
                prompt()));
    }

    static CompareResults of(List<MethodResult> methods) {
        ObjectMapper json = new ObjectMapper();
        JsonNode recipe = json.createObjectNode().put("model", "all-minilm-l6-v2").put("data", "rotten-tomatoes")
                .put("train_samples", 3200).put("eval_samples", 800).put("seed", 0).put("batch_size", 32)
                .put("max_length", 64).put("epochs", 1).put("optimizer", "adamw").put("lr", 5e-4)
                .put("warmup_ratio", 0.06).set("methods", json.createArrayNode().add("full").add("lora")
                        .add("bottleneck").add("prefix").add("prompt"));
        JsonNode environment = json.createObjectNode().put("jdk", "25.0.1+8-LTS").put("djl", "0.36.0")
                .put("engine", "PyTorch 2.7.1").put("cores", 2).put("os", "Linux amd64")
                .put("git_commit", "f69ca5c52d04a9dbaf637e436ff76fdfccc73868");
        return new CompareResults("2026-11-30T01:40:00Z", 812.4, false, recipe, environment, methods);
    }

    static MethodResult full() {
        return ok("full", "FULL", 0.8412, 0.8409, 0.3761, ALL_BASE, ALL_BASE, 100.0, 301.5, 2210.0, 620.0,
                memory(mib(86.1), mib(172.2), mib(708.5), mib(1016.5)), FULL_MODEL_BYTES,
                new Forgetting("uncertainty-conll2010.csv", 3000, 0.9127, 0.7015, null, null), 11, 0.30);
    }

    static MethodResult lora() {
        return ok("lora", "LORA", 0.7925, 0.7921, 0.4512, 74_498L, ALL_BASE + 73_728L, 0.3269, 288.0, 1305.0, 1010.0,
                memory(mib(0.3), mib(0.6), mib(889.3), mib(937.3)), 302_664L,
                new Forgetting("uncertainty-conll2010.csv", 3000, 0.9811, 0.9302, true, true), 12, 0.45);
    }

    static MethodResult bottleneck() {
        return ok("bottleneck", "BOTTLENECK", 0.8050, 0.8047, 0.4301, 112_130L, ALL_BASE + 111_360L, 0.4913, 270.2,
                1199.5, 1100.0, memory(mib(0.4), mib(0.9), mib(782.8), mib(826.2)), 452_936L,
                new Forgetting("uncertainty-conll2010.csv", 3000, 0.9744, 0.9011, true, true), 13, 0.42);
    }

    static MethodResult prompt() {
        return ok("prompt", "PROMPT_TUNING", 0.6313, 0.6290, 0.6402, 8_450L, ALL_BASE + 7_680L, 0.0372, 340.7, 1612.0,
                820.0, memory(mib(0.0), mib(0.1), mib(1023.4), mib(1085.8)), 34_296L,
                new Forgetting("uncertainty-conll2010.csv", 3000, 0.9990, 0.9952, true, true), 14, 0.62);
    }

    static long mib(double value) {
        return Math.round(value * MIB);
    }

    static Memory memory(long gradients, long optimizer, long activations, long measured) {
        long idle = 612 * MIB;
        long accounted = gradients + optimizer + activations;
        return new Memory(idle, idle + measured, measured, gradients, optimizer, activations, accounted, 91 * MIB);
    }

    static MethodResult ok(String method, String peftType, double accuracy, double macroF1, double loss,
            long trainable, long all, double percent, double wall, double medianStepMillis, double tokensPerSecond,
            Memory memory, long adapterBytes, Forgetting forgetting, long seed, double finalLoss) {
        List<Double> losses = losses(seed, 100, finalLoss);
        return new MethodResult(method, peftType, MethodResult.OK, null, accuracy, macroF1, loss, trainable, all,
                percent, wall, medianStepMillis, tokensPerSecond, memory,
                new Checkpoint(adapterBytes, FULL_MODEL_BYTES, (double) adapterBytes / FULL_MODEL_BYTES), forgetting,
                losses, List.of(new Epoch(1, mean(losses), loss, accuracy, macroF1)), method + "/predictions.jsonl",
                method + "/adapter", new ObjectMapper().createObjectNode().put("peft_type", peftType));
    }

    /** A noisy decay from ln 2 towards {@code finalLoss}. */
    static List<Double> losses(long seed, int updates, double finalLoss) {
        Random random = new Random(seed);
        List<Double> losses = new ArrayList<>();
        for (int u = 0; u < updates; u++) {
            double trend = finalLoss + (0.6931 - finalLoss) * Math.exp(-u / 25.0);
            losses.add(Math.max(0.01, trend + 0.08 * random.nextGaussian()));
        }
        return losses;
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
