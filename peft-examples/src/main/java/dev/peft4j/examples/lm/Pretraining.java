package dev.peft4j.examples.lm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.peft4j.core.model.DropoutSeed;
import dev.peft4j.core.model.LlamaConfig;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.train.AdamW;
import dev.peft4j.core.train.LinearSchedule;
import dev.peft4j.core.train.lm.Perplexity;
import dev.peft4j.examples.data.DocumentSplit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Pre-trains the example's base decoder from scratch: a Llama-style model
 * ({@link DecoderBaseFolder#config}) with fresh weights (HF's initialisation, DJL's engine seed set
 * to the recipe's), {@code steps} AdamW updates on random windows of the packed training chapters
 * ({@link TokenStream#randomWindows}) with linear warm-up and decay
 * ({@link LinearSchedule#withWarmupRatio}), then the held-out perplexity on up to
 * {@code eval_windows} consecutive windows of the held-out chapters, and the model written as an
 * HF folder ({@link DecoderBaseFolder#save}). Our own decoder, trained here, since no pretrained
 * decoder can be downloaded from the package registries this project reaches.
 */
public final class Pretraining {

    /** Receives progress after every update. */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param done updates taken
         * @param total updates planned
         * @param loss this update's training loss (nats per token)
         */
        void step(int done, int total, double loss);
    }

    private Pretraining() {}

    /**
     * @param recipe the recipe
     * @param corpus the Moby Dick split
     * @param folder an empty folder to write the model into
     * @param progress receives every update
     * @return the report (the cache fills {@code key}, {@code files_sha256} and {@code created_at})
     * @throws IOException if the model cannot be written
     * @throws IllegalStateException if the loss becomes NaN or infinite
     */
    public static PretrainReport run(PretrainRecipe recipe, DocumentSplit corpus, Path folder, Progress progress) throws IOException {
        TokenStream train = TokenStream.pack(corpus.train());
        TokenStream heldOut = TokenStream.pack(corpus.heldOut());
        LlamaConfig config = DecoderBaseFolder.config(recipe);
        Engine.getInstance().setRandomSeed(Math.toIntExact(recipe.seed()));
        try (NDManager manager = NDManager.newBaseManager(); TransformerModel model = TransformerModel.llama(config, manager);
                AdamW optimizer = AdamW.builder().setParameters(Parameters.byName(model.root()))
                        .optWeightDecay(recipe.weightDecay()).build()) {
            LinearSchedule schedule = LinearSchedule.withWarmupRatio(recipe.lr(), recipe.warmupRatio(), recipe.steps());
            WindowUpdate update = new WindowUpdate((inputs, seed) -> model.forward(inputs, seed).head(), model.manager(), optimizer,
                    recipe.maxGradNorm());
            List<Double> losses = new ArrayList<>(recipe.steps());
            List<Long> stepNanos = new ArrayList<>(recipe.steps());
            long start = System.nanoTime();
            for (int step = 0; step < recipe.steps(); step++) {
                long began = System.nanoTime();
                long[][] windows = train.randomWindows(recipe.seed(), step, recipe.batchSize(), recipe.seqLen());
                double loss = update.run(windows, schedule.learningRate(step), new DropoutSeed(recipe.seed(), step));
                stepNanos.add(System.nanoTime() - began);
                losses.add(loss);
                progress.step(step + 1, recipe.steps(), loss);
            }
            double wall = (System.nanoTime() - start) / 1e9;
            Perplexity perplexity = HeldOutPerplexity.of(model, model::forward,
                    heldOut.evaluationWindows(recipe.seqLen(), recipe.evalWindows()), recipe.batchSize());
            DecoderBaseFolder.save(model, config, folder);
            double finalLoss = losses.subList(Math.max(0, losses.size() - 50), losses.size()).stream()
                    .mapToDouble(Double::doubleValue).average().orElseThrow();
            return new PretrainReport(null, recipe, BaseModelKey.dataDigest(corpus.train(), corpus.heldOut()), train.length(), heldOut.length(), Parameters.count(model.root(), false),
                    wall, Medians.millis(stepNanos), finalLoss, perplexity.value(), perplexity.bitsPerToken(), null, null);
        }
    }
}
