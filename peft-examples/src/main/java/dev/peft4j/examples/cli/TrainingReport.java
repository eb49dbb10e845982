package dev.peft4j.examples.cli;

import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.train.EpochMetrics;
import dev.peft4j.core.train.StepEvent;
import dev.peft4j.core.train.TrainingRecipe;
import dev.peft4j.core.train.TrainingResult;
import java.util.List;

/**
 * What {@code results.json} records of one training run (JSON keys in snake_case).
 *
 * @param method the method's alias
 * @param peftType the method's {@code peft_type}
 * @param baseModel the pretrained encoder
 * @param accuracy held-out accuracy after the last epoch, in [0, 1]
 * @param macroF1 held-out macro-averaged F1 after the last epoch
 * @param loss held-out mean cross-entropy after the last epoch
 * @param trainableParams trainable scalars
 * @param allParams all scalars (base, adapter and saved copies)
 * @param trainablePercent {@code 100 * trainable / all}
 * @param epochs per-epoch train loss and held-out metrics
 * @param steps optimizer updates
 * @param tokensSeen real training tokens processed
 * @param modelLoadSeconds seconds to import the weights and build the model
 * @param wallSeconds seconds of training and evaluation
 * @param medianStepMillis median optimizer-update time in milliseconds
 * @param tokensPerSecond training tokens of the updates this process ran divided by its wall time (a resumed run
 *     counts only the updates after its checkpoint, since the wall time is only theirs)
 * @param adapterBytes size of {@code adapter_model.safetensors} + {@code adapter_config.json}
 * @param config the effective method config
 * @param recipe the effective training recipe
 * @param environment where it ran
 * @param trainLosses the training loss of every update, in order (a resumed run's include those
 *     before its checkpoint)
 * @param resumedFrom the checkpoint folder the run continued from, or {@code null}
 */
record TrainingReport(String method, String peftType, String baseModel, double accuracy, double macroF1, double loss,
        long trainableParams, long allParams, double trainablePercent, List<EpochSummary> epochs, long steps,
        long tokensSeen, double modelLoadSeconds, double wallSeconds, double medianStepMillis, double tokensPerSecond,
        long adapterBytes, PeftConfig config, TrainingRecipe recipe, RunEnvironment environment, List<Double> trainLosses,
        String resumedFrom) {

    /**
     * @param epoch 1-based epoch number
     * @param trainLoss mean training loss of the epoch
     * @param evalLoss held-out loss
     * @param accuracy held-out accuracy
     * @param macroF1 held-out macro-F1
     */
    record EpochSummary(int epoch, double trainLoss, double evalLoss, double accuracy, double macroF1) {
        static EpochSummary of(EpochMetrics metrics) {
            var evaluation = metrics.evaluation();
            return new EpochSummary(metrics.epoch() + 1, metrics.trainLoss(), evaluation.loss(), evaluation.accuracy(),
                    evaluation.metrics().macroF1());
        }
    }

    static TrainingReport of(PeftRuntime runtime, PeftConfig config, TrainingRecipe recipe, PeftModel peft,
            TrainingResult result, double loadSeconds, long adapterBytes, RunEnvironment environment, String resumedFrom,
            long firstStep) {
        var provider = runtime.registry().byConfigType(config.getClass());
        EpochSummary last = EpochSummary.of(result.lastEpoch());
        double wall = result.wallTime().toNanos() / 1e9;
        long trainable = peft.trainableParameterCount();
        long all = peft.totalParameterCount();
        long tokensThisProcess = result.logHistory().stream().filter(event -> event.step() >= firstStep)
                .mapToLong(StepEvent::tokens).sum();
        return new TrainingReport(provider.alias(), provider.peftType(), TrainingRun.BASE_MODEL.modelName(),
                last.accuracy(), last.macroF1(), last.evalLoss(), trainable, all, 100.0 * trainable / all,
                result.epochs().stream().map(EpochSummary::of).toList(), result.steps(), result.tokensSeen(),
                loadSeconds, wall, result.medianStepNanos() / 1e6, tokensThisProcess / wall, adapterBytes,
                config, recipe, environment, result.logHistory().stream().map(StepEvent::loss).toList(), resumedFrom);
    }
}
