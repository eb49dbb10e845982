package dev.peft4j.lora;

import static dev.peft4j.lora.LoraMixedBatchTest.byRow;
import static dev.peft4j.lora.LoraMixedBatchTest.rows;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.runtime.PeftModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Concurrent serving on one {@link PeftModel}: mixed-adapter forward passes on 8 threads give
 * exactly the single-thread result, and adapter management running beside them never produces a
 * wrong output or a crash (the model's read-write lock).
 */
class LoraConcurrentServingTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 40;
    /** The batch's rows by thread: three adapters and the base model in different orders. */
    private static final List<List<String>> ROUTES = List.of(
            List.of("a", "b", "rs", "__base__", "a"), List.of("b", "rs", "a", "a", "__base__"),
            List.of("rs", "rs", "b", "a", "b"), List.of("__base__", "a", "b", "rs", "rs"));

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static float[] mixed(PeftModel peft, List<String> route) {
        try (NDManager scope = manager.newSubManager()) {
            return peft.forward(rows(scope, 0, 1, 2, 3, 4), route).head().toFloatArray();
        }
    }

    private static float[] plain(PeftModel peft) {
        try (NDManager scope = manager.newSubManager()) {
            return peft.forward(rows(scope, 0, 1, 2, 3, 4), false).head().toFloatArray();
        }
    }

    @Test
    void eightThreadsRunningMixedBatchesGetTheSingleThreadResultBitForBit() throws Exception {
        try (PeftModel peft = LoraMixedBatchTest.fourAdapters(manager, TaskType.SEQ_CLS)) {
            List<float[]> expected = ROUTES.stream().map(route -> mixed(peft, route)).toList();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<double[]>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    go.await();
                    double max = 0;
                    int exact = 0;
                    for (int round = 0; round < ROUNDS; round++) {
                        int route = (thread + round) % ROUTES.size();
                        float[] out = mixed(peft, ROUTES.get(route));
                        exact += Arrays.equals(out, expected.get(route)) ? 1 : 0;
                        for (int i = 0; i < out.length; i++) {
                            max = Math.max(max, Math.abs(out[i] - expected.get(route)[i]));
                        }
                    }
                    return new double[] {max, exact};
                }));
            }
            go.countDown();
            int exact = 0;
            for (Future<double[]> result : results) {
                double[] outcome = result.get(2, TimeUnit.MINUTES);
                assertThat(outcome[0]).isLessThanOrEqualTo(1e-6);
                exact += (int) outcome[1];
            }
            pool.shutdown();
            // measured: PyTorch's CPU kernels are deterministic here, every output is bit-identical
            assertThat(exact).isEqualTo(THREADS * ROUNDS);
        }
    }

    @Test
    void managingAdaptersWhileServingNeverGivesAWrongOutputOrACrash() throws Exception {
        try (PeftModel peft = LoraMixedBatchTest.fourAdapters(manager, TaskType.SEQ_CLS)) {
            List<float[]> expected = ROUTES.stream().map(route -> mixed(peft, route)).toList();
            peft.setActiveAdapter("b");
            float[] plainB = plain(peft);
            peft.setActiveAdapter("a");
            float[] plainA = plain(peft);
            assertThat(plainA).isNotEqualTo(plainB);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger served = new AtomicInteger();
            List<Future<?>> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                readers.add(pool.submit(() -> {
                    int round = 0;
                    while (!stop.get() || round < 5) {
                        try {
                            List<String> route = ROUTES.get((thread + round) % ROUTES.size());
                            if (!Arrays.equals(mixed(peft, route), expected.get((thread + round) % ROUTES.size()))) {
                                failures.add("mixed batch " + route + " changed");
                            }
                            float[] out = plain(peft);
                            if (!Arrays.equals(out, plainA) && !Arrays.equals(out, plainB)) {
                                failures.add("a forward pass saw half a switch between adapters a and b");
                            }
                            served.incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.add(e.toString());
                        }
                        round++;
                    }
                }));
            }
            for (int change = 0; change < 15; change++) {
                peft.addAdapter("extra", LoraMixedBatchTest.OTHER);
                peft.setActiveAdapter("b");
                peft.setActiveAdapter("a");
                peft.deleteAdapter("extra");
            }
            stop.set(true);
            for (Future<?> reader : readers) {
                reader.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertThat(failures).isEmpty();
            assertThat(served.get()).isGreaterThanOrEqualTo(20);
            assertThat(peft.adapterNames()).containsExactly("a", "b", "rs", "dora");
        }
    }
}
