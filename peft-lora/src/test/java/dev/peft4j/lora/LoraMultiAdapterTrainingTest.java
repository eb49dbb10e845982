package dev.peft4j.lora;

import static dev.peft4j.lora.LoraTesting.RUNTIME;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TinyBert;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.ConfigOrigin;
import dev.peft4j.core.train.Trainer;
import dev.peft4j.core.train.TinyTask;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two LoRA adapters on one TinyBert trained one after the other with the {@link Trainer}: the
 * trainer's optimizer takes the active adapter's parameters, so training one leaves the other (and
 * the base) bit-identical, and switching between runs trains the newly active one (HF PEFT's
 * {@code set_adapter} before a new {@code Trainer}).
 */
class LoraMultiAdapterTrainingTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void trainingOneAdapterLeavesTheOtherBitIdenticalAndSwitchingTrainsTheNewlyActiveOne() {
        LoraConfig first = LoraConfig.builder().r(4).targetModules("query", "value").build();
        LoraConfig second = LoraConfig.builder().r(2).targetModules("query", "key").useDora(true).build();
        try (PeftModel peft = RUNTIME.getPeftModel(TinyBert.create(manager, TaskType.SEQ_CLS), first, ConfigOrigin.USER);
                SentenceTokenizer tokenizer = TinyTask.tokenizer()) {
            peft.addAdapter("b", second);
            Map<String, HostTensor> aBefore = peft.adapterWeights("default", false);
            Map<String, HostTensor> bBefore = peft.adapterWeights("b", false);
            Map<String, HostTensor> encoderBefore = baseWeights(peft);

            train(peft, tokenizer);
            Map<String, HostTensor> aTrained = peft.adapterWeights("default", false);
            assertThat(peft.adapterWeights("b", false)).as("b untouched while default trains").isEqualTo(bBefore);
            aBefore.forEach((key, tensor) -> assertThat(aTrained.get(key)).as("trained " + key).isNotEqualTo(tensor));

            peft.setActiveAdapter("b");
            train(peft, tokenizer);
            assertThat(peft.adapterWeights("default", false)).as("default untouched while b trains").isEqualTo(aTrained);
            Map<String, HostTensor> bTrained = peft.adapterWeights("b", false);
            bBefore.forEach((key, tensor) -> assertThat(bTrained.get(key)).as("trained " + key).isNotEqualTo(tensor));
            assertThat(baseWeights(peft)).as("base weights").isEqualTo(encoderBefore);
        }
    }

    private static void train(PeftModel peft, SentenceTokenizer tokenizer) {
        Trainer.builder().setModel(peft).setTokenizer(tokenizer).setRecipe(TinyTask.recipe(1e-2, 1, 16, 7, 1))
                .optProgressBar(false).build().train(TinyTask.examples(1, 32), TinyTask.examples(2, 16));
    }

    /** Every parameter that belongs to no adapter (frozen base weights and the original classifier). */
    private static Map<String, HostTensor> baseWeights(PeftModel peft) {
        Map<String, HostTensor> all = Parameters.stateDict(peft.baseModel().root());
        all.keySet().removeIf(key -> key.contains("lora_") || key.contains("modules_to_save"));
        return all;
    }
}
