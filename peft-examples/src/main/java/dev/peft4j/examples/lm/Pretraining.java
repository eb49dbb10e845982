package dev.peft4j.examples.lm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.peft4j.core.full.FullFineTuningConfig;
import dev.peft4j.core.model.LlamaConfig;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.train.StepEvent;
import dev.peft4j.core.train.lm.CausalLmTrainer;
import dev.peft4j.core.train.lm.LmTrainingListener;
import dev.peft4j.core.train.lm.LmTrainingRecipe;
import dev.peft4j.core.train.lm.LmTrainingResult;
import dev.peft4j.core.train.lm.Perplexity;
import dev.peft4j.core.train.lm.PerplexityEvaluator;
import dev.peft4j.examples.data.DocumentSplit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Pre-trains the example's base decoder from scratch: a Llama-style model
 * ({@link DecoderBaseFolder#config}) with fresh weights (HF's initialisation; DJL's engine seed set
 * to the recipe's), trained as a {@code FULL} {@link PeftModel} by the causal-LM trainer
 * ({@link CausalLmTrainer}: AdamW, linear warm-up and decay, clipping, blocks shuffled by seed) for
 * exactly {@code steps} updates on the packed training chapters cut into blocks of
 * {@code seq_len} ({@link TokenStream#blocks}); then the held-out perplexity on up to
 * {@code eval_windows} windows of the held-out chapters ({@link PerplexityEvaluator}), and the
 * model written as an HF folder ({@link DecoderBaseFolder#save}). Our own decoder, trained here,
 * since no pretrained decoder can be downloaded from the package registries this project reaches.
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
        void step(long done, long total, double loss);
    }

    private Pretraining() {}

    /**
     * @param runtime the installed methods ({@code FULL})
     * @param recipe the recipe
     * @param corpus the Moby Dick split
     * @param folder an empty folder to write the model into
     * @param progress receives every update
     * @return the report (the cache fills {@code key}, {@code files_sha256} and {@code created_at})
     * @throws IOException if the model cannot be written
     * @throws IllegalStateException if the loss becomes NaN or infinite
     */
    public static PretrainReport run(PeftRuntime runtime, PretrainRecipe recipe, DocumentSplit corpus, Path folder,
            Progress progress) throws IOException {
        TokenStream train = TokenStream.pack(corpus.train());
        TokenStream heldOut = TokenStream.pack(corpus.heldOut());
        LlamaConfig config = DecoderBaseFolder.config(recipe);
        Engine.getInstance().setRandomSeed(Math.toIntExact(recipe.seed()));
        try (NDManager manager = NDManager.newBaseManager();
                PeftModel model = runtime.getPeftModel(TransformerModel.llama(config, manager), new FullFineTuningConfig(),
                        ConfigOrigin.USER)) {
            LmTrainingRecipe lm = new LmTrainingRecipe(recipe.lr(), 1, (long) recipe.steps(), recipe.batchSize(), recipe.seed(),
                    recipe.warmupRatio(), recipe.weightDecay(), recipe.maxGradNorm(), 1);
            LmTrainingResult result = CausalLmTrainer.builder().setModel(model).setRecipe(lm).optProgressBar(false)
                    .optPadTokenId(ByteTokenizer.PAD).optListener(new LmTrainingListener() {
                        @Override
                        public void onStep(StepEvent event) {
                            progress.step(event.step() + 1, event.totalSteps(), event.loss());
                        }
                    }).build().train(train.blocks(recipe.seqLen()), List.of());
            Perplexity perplexity = PerplexityEvaluator.evaluate(model, heldOut.evaluationWindows(recipe.seqLen(), recipe.evalWindows()),
                    recipe.batchSize(), ByteTokenizer.PAD);
            DecoderBaseFolder.save(model.baseModel(), folder);
            List<StepEvent> history = result.history();
            double finalLoss = history.subList(Math.max(0, history.size() - 50), history.size()).stream()
                    .mapToDouble(StepEvent::loss).average().orElseThrow();
            return new PretrainReport(null, recipe, BaseModelKey.dataDigest(corpus.train(), corpus.heldOut()), train.length(),
                    heldOut.length(), Parameters.count(model.baseModel().root(), false), result.wallTime().toNanos() / 1e9,
                    result.medianStepNanos() / 1e6, finalLoss, perplexity.value(), perplexity.bitsPerToken(), null, null);
        }
    }
}
