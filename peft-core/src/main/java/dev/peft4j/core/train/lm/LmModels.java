package dev.peft4j.core.train.lm;

import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import java.util.List;

/** Checks that a model is a causal LM and that token blocks fit its vocabulary. */
final class LmModels {

    private LmModels() {}

    static void requireCausalLm(TransformerModel model) {
        if (model.taskType() != TaskType.CAUSAL_LM) {
            throw new IllegalArgumentException("causal-LM training needs a CAUSAL_LM model (Llama or GPT-2), got "
                    + model.architecture() + " " + model.taskType());
        }
    }

    static int vocabSize(TransformerModel model) {
        return model.vocabSize();
    }

    /**
     * @param set {@code training} or {@code held-out}, for the message
     * @param blocks the blocks to check
     * @param vocabSize the model's vocabulary
     * @throws IllegalArgumentException if a block is empty or an id is outside {@code [0, vocab_size)}
     */
    static void requireTokenIds(String set, List<int[]> blocks, int vocabSize) {
        for (int b = 0; b < blocks.size(); b++) {
            int[] block = blocks.get(b);
            if (block.length == 0) {
                throw new IllegalArgumentException(set + " block " + b + " is empty");
            }
            for (int t = 0; t < block.length; t++) {
                if (block[t] < 0 || block[t] >= vocabSize) {
                    throw new IllegalArgumentException(set + " block " + b + " holds token id " + block[t] + " at position " + t
                            + "; ids must be in [0, " + vocabSize + ")");
                }
            }
        }
    }
}
