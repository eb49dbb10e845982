package dev.peft4j.cuda.check;

import dev.peft4j.cuda.CudaAvailability;
import dev.peft4j.cuda.CudaContext;
import dev.peft4j.cuda.CudaDriver;
import dev.peft4j.cuda.DType;
import dev.peft4j.cuda.DeviceBuffer;
import dev.peft4j.cuda.DropoutMask;
import dev.peft4j.cuda.LoraKernels;
import dev.peft4j.cuda.LoraShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The GPU bundle's timing harness (a program, not a test): LoRA forward ({@code shrink + expand})
 * and backward ({@code du, dB, dA, dx}) at hidden {@code K = N}, rank r and T tokens, fp32 and
 * bf16, dropout 0.1 on; the median of {@code --iterations} timed runs after warm-up, each run
 * ended by {@code cuCtxSynchronize}. Achieved bandwidth counts every operand read or written once
 * (accumulated outputs twice) against {@code --peak-tbs} (H200: 4.8 TB/s).
 *
 * <pre>
 * java -cp ... dev.peft4j.cuda.check.LoraKernelTimings [--tokens 4096] [--hidden 4096] [--rank 16]
 *     [--iterations 50] [--peak-tbs 4.8] [--out timings.tsv]
 * </pre>
 * Output lines: {@code op  dtype  T  hidden  r  median_ms  GB/s  %peak}.
 */
public final class LoraKernelTimings {

    private LoraKernelTimings() {
    }

    public static void main(String[] args) throws IOException {
        int tokens = intArg(args, "--tokens", 4096);
        int hidden = intArg(args, "--hidden", 4096);
        int rank = intArg(args, "--rank", 16);
        int iterations = intArg(args, "--iterations", 50);
        double peak = Double.parseDouble(arg(args, "--peak-tbs", "4.8"));
        String out = arg(args, "--out", null);
        CudaAvailability availability = CudaAvailability.probe(CudaDriver.configuredLibrary());
        if (!availability.available()) {
            System.err.println("no usable CUDA driver: " + availability.reason());
            System.exit(2);
        }
        LoraShape shape = new LoraShape(tokens, hidden, hidden, rank);
        List<String> lines = new ArrayList<>();
        try (CudaContext context = CudaContext.open(CudaDriver.load(availability.library()), 0)) {
            for (DType type : DType.values()) {
                lines.addAll(time(context, shape, type, iterations, peak));
            }
        }
        lines.forEach(System.out::println);
        if (out != null) {
            Files.write(Path.of(out), lines);
        }
    }

    private static List<String> time(CudaContext context, LoraShape s, DType type, int iterations, double peak) {
        long t = s.tokens(), k = s.inFeatures(), n = s.outFeatures(), r = s.r();
        int e = type.bytes();
        Random random = new Random(1);
        LoraKernels lora = new LoraKernels(context);
        DropoutMask dropout = new DropoutMask(0.1, 7L, 0L);
        try (DeviceBuffer x = context.upload(randoms(random, t * k), type);
             DeviceBuffer a = context.upload(randoms(random, r * k), type);
             DeviceBuffer b = context.upload(randoms(random, n * r), type);
             DeviceBuffer dy = context.upload(randoms(random, t * n), type);
             DeviceBuffer u = context.allocate(t * r * 4); DeviceBuffer du = context.allocate(t * r * 4);
             DeviceBuffer y = context.allocate(t * n * 4); DeviceBuffer gradA = context.allocate(r * k * 4);
             DeviceBuffer gradB = context.allocate(n * r * 4); DeviceBuffer gradX = context.allocate(t * k * 4)) {
            for (DeviceBuffer zero : List.of(y, gradA, gradB, gradX)) {
                zero.fill(0);
            }
            double forwardMs = median(context, iterations, () -> lora.forward(type, s, x, a, b, u, y, 2.0f, dropout));
            double backwardMs = median(context, iterations,
                    () -> lora.backward(type, s, dy, x, a, b, u, du, gradA, gradB, gradX, 2.0f, dropout));
            long forwardBytes = t * k * e + r * k * e + t * r * 4 // shrink: x, A, u
                    + t * r * 4 + n * r * e + 2 * t * n * 4; // expand: u, B, y read and written
            long backwardBytes = t * n * e + n * r * e + t * r * 4 // du = dy B
                    + t * n * e + t * r * 4 + 2 * n * r * 4 // dB += dy^T u
                    + t * k * e + t * r * 4 + 2 * r * k * 4 // dA += du^T x
                    + t * r * 4 + r * k * e + 2 * t * k * 4; // dx += du A
            return List.of(line("lora_forward", type, s, forwardMs, forwardBytes, peak),
                    line("lora_backward", type, s, backwardMs, backwardBytes, peak));
        }
    }

    private static String line(String op, DType type, LoraShape s, double ms, long bytes, double peakTbs) {
        double gbs = bytes / (ms * 1e-3) / 1e9;
        return String.join("\t", op, type.suffix(), Integer.toString(s.tokens()), Integer.toString(s.inFeatures()),
                Integer.toString(s.r()), String.format("%.4f", ms), String.format("%.1f", gbs),
                String.format("%.1f", 100 * gbs / (peakTbs * 1000)));
    }

    private static double median(CudaContext context, int iterations, Runnable run) {
        for (int i = 0; i < 3; i++) {
            run.run();
        }
        context.synchronize();
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            run.run();
            context.synchronize();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return ms[iterations / 2];
    }

    private static float[] randoms(Random random, long count) {
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        return values;
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static int intArg(String[] args, String name, int fallback) {
        String value = arg(args, name, null);
        return value == null ? fallback : Integer.parseInt(value);
    }
}
