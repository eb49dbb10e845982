package dev.peft4j.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.train.Evaluation;
import dev.peft4j.core.train.Evaluator;
import dev.peft4j.core.train.Trainer;
import dev.peft4j.core.train.TrainingExample;
import dev.peft4j.core.train.TrainingRecipe;
import dev.peft4j.core.train.TrainingResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A short {@link Trainer} run of a Pfeiffer adapter on TinyBert over a linearly separable task:
 * sentences of filler words plus two to four words of their class, tokenized with the 36-token
 * WordPiece vocabulary of peft-core's test jar.
 */
class BottleneckTrainerTest {

    private static final int MAX_LENGTH = 16;
    private static final String[] POSITIVE = {"good", "great", "fine", "nice", "superb", "fun"};
    private static final String[] NEGATIVE = {"bad", "awful", "poor", "dull", "boring", "ugly"};
    private static final String[] FILLER = {"the", "a", "movie", "film", "was", "is", "it", "very", "plot", "story", "so"};

    /** Alternating labels 0 (negative) and 1 (positive). */
    private static List<TrainingExample> examples(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int label = i % 2;
            String[] polar = label == 1 ? POSITIVE : NEGATIVE;
            List<String> words = new ArrayList<>();
            for (int f = 1 + random.nextInt(3); f > 0; f--) {
                words.add(FILLER[random.nextInt(FILLER.length)]);
            }
            for (int p = 2 + random.nextInt(3); p > 0; p--) {
                words.add(random.nextInt(words.size() + 1), polar[random.nextInt(polar.length)]);
            }
            out.add(new TrainingExample(String.join(" ", words), label));
        }
        return out;
    }

    @Test
    void aPfeifferAdapterLowersTheLossOfASeparableTask() throws IOException {
        List<TrainingExample> train = examples(1, 128);
        List<TrainingExample> heldOut = examples(2, 64);
        BottleneckConfig config = BottleneckConfig.defaults().withWidth(null, 8);
        try (NDManager manager = NDManager.newBaseManager();
                InputStream json = SentenceTokenizer.class.getResourceAsStream("/dev/peft4j/core/train/tiny-tokenizer.json");
                SentenceTokenizer tokenizer = SentenceTokenizer.load(json, MAX_LENGTH);
                PeftModel model = BottleneckTesting.adapt(manager, TaskType.SEQ_CLS, config)) {
            Evaluation before = Evaluator.evaluate(model, tokenizer, heldOut, 16, 2);
            TrainingRecipe recipe = new TrainingRecipe(1e-2, 4, 16, MAX_LENGTH, 5L, 0.1, 0.01, 1.0, 1);
            TrainingResult result = Trainer.builder().setModel(model).setTokenizer(tokenizer).setRecipe(recipe)
                    .optProgressBar(false).build().train(train, heldOut);

            assertThat(result.steps()).isEqualTo(4 * 8);
            Evaluation after = result.lastEpoch().evaluation();
            assertThat(after.loss()).isLessThan(before.loss());
            assertThat(result.lastEpoch().trainLoss()).isLessThan(result.epochs().getFirst().trainLoss());
            // a frozen random 2-layer encoder limits what 32 updates of 2 x 280 adapter weights reach (0.69 here)
            assertThat(after.accuracy()).isGreaterThan(0.6);
        }
    }
}
