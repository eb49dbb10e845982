package dev.peft4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.peft4j.core.model.DropoutSeed;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.model.TransformerModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression test for a use-after-free: DJL's PyTorch engine backs {@code NDArray.div(Number)}
 * (and {@code mul(Number)}) with a scalar tensor over a direct buffer that it closes right away,
 * but the backward pass of the division reads that scalar. Once the buffer is collected and its
 * memory reused, gradients become garbage (NaN in about one run in five of the trainer tests).
 * Here the memory is collected and refilled with NaN on purpose between forward and backward.
 */
class ScalarLifetimeTest {

    @Test
    void gradientsStayFiniteWhenFreedNativeMemoryIsReusedBeforeBackward() throws InterruptedException {
        try (NDManager manager = NDManager.newBaseManager();
                TransformerModel model = TinyBert.create(manager, TaskType.SEQ_CLS);
                NDManager batch = manager.newSubManager()) {
            NDList inputs = new NDList(batch.create(new long[][] {{2, 4, 20, 5, 3}, {2, 12, 22, 3, 0}}),
                    batch.create(new long[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}}));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = CrossEntropy.mean(model.forward(inputs, new DropoutSeed(1, 0)).head(), batch.create(new long[] {1, 0}));
                List<ByteBuffer> junk = new ArrayList<>();
                for (int round = 0; round < 2; round++) {
                    System.gc();
                    Thread.sleep(20); // let the cleaner free unreachable direct buffers
                    for (int i = 0; i < 5_000; i++) {
                        junk.add(ByteBuffer.allocateDirect(Float.BYTES).order(ByteOrder.nativeOrder()).putFloat(0, Float.NaN));
                    }
                }
                collector.backward(loss);
            }
            for (var entry : Parameters.byName(model.root()).entrySet()) {
                try (NDArray gradient = entry.getValue().getArray().getGradient()) {
                    assertThat(gradient.isInfinite().any().getBoolean() || gradient.isNaN().any().getBoolean())
                            .as("non-finite gradient of %s", entry.getKey()).isFalse();
                }
            }
        }
    }
}
