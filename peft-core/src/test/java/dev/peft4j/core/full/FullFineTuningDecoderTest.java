package dev.peft4j.core.full;

import static dev.peft4j.core.testing.DecoderTesting.assertCacheMatchesFullForward;
import static dev.peft4j.core.testing.DecoderTesting.assertSaveLoadRoundTrip;
import static dev.peft4j.core.testing.DecoderTesting.baseLogits;
import static dev.peft4j.core.testing.DecoderTesting.create;
import static dev.peft4j.core.testing.DecoderTesting.logits;
import static dev.peft4j.core.testing.DecoderTesting.train;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Full fine-tuning of the tiny decoders ({@link dev.peft4j.core.testing.DecoderTesting}), the
 * baseline: every parameter trains, a tied head counted once.
 */
class FullFineTuningDecoderTest {

    private static final PeftRuntime RUNTIME = PeftRuntime.of(List.of(new FullFineTuningProvider()));

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /**
     * Llama (untied): embed 40 * 16 + per layer (2 RMSNorms 2 * 16, q 16 * 16, k and v 16 * 8 each,
     * o 16 * 16, gate/up/down 3 * 16 * 24) * 2 + norm 16 + lm_head 40 * 16 = 5200. GPT-2 (tied):
     * wte 40 * 16 + wpe 32 * 16 + per layer (2 LayerNorms 2 * 32, c_attn 16 * 48 + 48, c_proj 16 * 16 + 16,
     * c_fc 16 * 64 + 64, mlp.c_proj 64 * 16 + 16) * 2 + ln_f 32 = 7744.
     */
    @ParameterizedTest
    @CsvSource({"llama, 5200", "gpt2, 7744"})
    void everyParameterTrainsAndTheLossFalls(String architecture, long parameters, @TempDir Path dir) throws IOException {
        try (NDManager scope = manager.newSubManager()) {
            float[] base = baseLogits(architecture, scope);
            try (PeftModel peft = RUNTIME.getPeftModel(create(architecture, scope), new FullFineTuningConfig(), ConfigOrigin.USER)) {
                assertThat(peft.trainableParameterCount()).isEqualTo(peft.totalParameterCount()).isEqualTo(parameters);
                assertThat(logits(peft, scope)).containsExactly(base);
                List<Float> losses = train(peft, 8, 0.01, scope);
                assertThat(losses.getLast()).as(losses.toString()).isLessThan(losses.getFirst() * 0.9f);
                assertThat(logits(peft, scope)).isNotEqualTo(base);
                assertCacheMatchesFullForward(peft, scope);
                Map<String, long[]> saved = assertSaveLoadRoundTrip(RUNTIME, peft, dir, scope);
                assertThat(saved.values().stream().mapToLong(shape -> java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)).sum())
                        .isEqualTo(parameters);
            }
        }
    }
}
