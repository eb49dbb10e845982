package dev.peft4j.core.train;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.full.FullFineTuningConfig;
import dev.peft4j.core.full.FullFineTuningProvider;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.target.TargetModules;
import dev.peft4j.core.testing.ScaleConfig;
import dev.peft4j.core.testing.ScaleProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny, linearly separable sentiment task for {@link TinyBert} (vocabulary of 36 WordPiece
 * tokens in {@code tiny-tokenizer.json}): one to three filler words and two to four of the class's
 * four polar words. A random TinyBert needs about 100 examples to generalise on it. Part of the
 * test-jar (the method contract suite trains on it).
 */
public final class TinyTask {

    /** The tokenizer's truncation length and the recipes' {@code max_length}, in tokens. */
    public static final int MAX_LENGTH = 16;

    private static final String[] POSITIVE = {"good", "great", "fine", "nice"};
    private static final String[] NEGATIVE = {"bad", "awful", "poor", "dull"};
    private static final String[] FILLER = {"the", "a", "movie", "film", "was", "is", "it", "very", "plot", "actor", "and",
        "this", "story", "really", "quite", "so"};

    private TinyTask() {}

    /** @return the task's tokenizer, truncating at {@link #MAX_LENGTH}; close it */
    public static SentenceTokenizer tokenizer() {
        try (InputStream in = TinyTask.class.getResourceAsStream("tiny-tokenizer.json")) {
            return SentenceTokenizer.load(in, MAX_LENGTH);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param seed seeds the word choice
     * @param count how many examples
     * @return examples with alternating labels 0 (negative) and 1 (positive)
     */
    public static List<TrainingExample> examples(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int label = i % 2;
            String[] polar = label == 1 ? POSITIVE : NEGATIVE;
            List<String> words = new ArrayList<>();
            int fillers = 1 + random.nextInt(3);
            for (int f = 0; f < fillers; f++) {
                words.add(FILLER[random.nextInt(FILLER.length)]);
            }
            int polarWords = 2 + random.nextInt(3);
            for (int p = 0; p < polarWords; p++) {
                words.add(random.nextInt(words.size() + 1), polar[random.nextInt(polar.length)]);
            }
            out.add(new TrainingExample(String.join(" ", words), label));
        }
        return out;
    }

    static PeftModel full(NDManager manager) {
        return PeftRuntime.of(List.of(new FullFineTuningProvider()))
                .getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), new FullFineTuningConfig(), ConfigOrigin.USER);
    }

    static PeftModel scale(NDManager manager) {
        return PeftRuntime.of(List.of(new ScaleProvider()))
                .getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), ScaleConfig.of(TargetModules.names("query", "value")),
                        ConfigOrigin.USER);
    }

    /**
     * @return a recipe with warm-up ratio 0.1, weight decay 0.01, clipping at 1.0 and
     *     {@link #MAX_LENGTH}
     */
    public static TrainingRecipe recipe(double lr, int epochs, int batchSize, long seed, int accumulation) {
        return new TrainingRecipe(lr, epochs, batchSize, MAX_LENGTH, seed, 0.1, 0.01, 1.0, accumulation);
    }
}
