package dev.peft4j.prefix;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.PeftConfig;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Trainer lowers the loss of prefix and prompt tuning on a separable toy task: TinyBert with
 * the 36-token WordPiece vocabulary of peft-core's test tokenizer, sentences of filler words and
 * two to four words of their class.
 */
class PromptLearningTrainingTest {

    private static final int MAX_LENGTH = 16;
    private static final String[] POSITIVE = {"good", "great", "fine", "nice"};
    private static final String[] NEGATIVE = {"bad", "awful", "poor", "dull"};
    private static final String[] FILLER = {"the", "a", "movie", "film", "was", "is", "it", "plot", "and", "story"};

    private static NDManager manager;
    private static SentenceTokenizer tokenizer;

    @BeforeAll
    static void start() throws IOException {
        manager = NDManager.newBaseManager();
        try (InputStream in = PromptLearningTrainingTest.class.getResourceAsStream("/dev/peft4j/core/train/tiny-tokenizer.json")) {
            tokenizer = SentenceTokenizer.load(in, MAX_LENGTH);
        }
    }

    @AfterAll
    static void stop() {
        tokenizer.close();
        manager.close();
    }

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

    static Stream<Arguments> methods() {
        return Stream.of(
                Arguments.of(PrefixTuningConfig.defaults().withNumVirtualTokens(8), PrefixTuningProvider.RECOMMENDED_LEARNING_RATE),
                Arguments.of(PromptTuningConfig.defaults().withNumVirtualTokens(8), PromptTuningProvider.RECOMMENDED_LEARNING_RATE));
    }

    @ParameterizedTest
    @MethodSource("methods")
    void trainingLowersTheLoss(PeftConfig config, double learningRate) {
        List<TrainingExample> train = examples(1, 128);
        List<TrainingExample> heldOut = examples(2, 64);
        try (PeftModel peft = PromptLearningTesting.adapt(manager, TaskType.SEQ_CLS, config)) {
            Evaluation before = Evaluator.evaluate(peft, tokenizer, heldOut, 16, 2);
            TrainingRecipe recipe = new TrainingRecipe(learningRate, 3, 16, MAX_LENGTH, 5L, 0.1, 0.01, 1.0, 1);
            TrainingResult result = Trainer.builder().setModel(peft).setTokenizer(tokenizer).setRecipe(recipe)
                    .optProgressBar(false).build().train(train, heldOut);
            assertThat(result.steps()).isEqualTo(3 * 8);
            assertThat(result.lastEpoch().evaluation().loss()).isLessThan(before.loss());
            assertThat(result.lastEpoch().trainLoss()).isLessThan(result.epochs().getFirst().trainLoss());
        }
    }
}
