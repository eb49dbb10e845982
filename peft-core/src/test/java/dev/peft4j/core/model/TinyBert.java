package dev.peft4j.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.util.List;

/** A tiny random BERT for fast tests (2 layers, hidden 16, 4 heads). Part of the test-jar. */
public final class TinyBert {

    private TinyBert() {}

    /** @return a small configuration */
    public static BertConfig config() {
        return new BertConfig("bert", 50, 16, 2, 4, 32, "gelu", 0.1, 0.1, 32, 2, 1e-12, 0, List.of("BertModel"));
    }

    /**
     * @param manager the parent manager
     * @param taskType the head
     * @return a seeded random model
     */
    public static TransformerModel create(NDManager manager, TaskType taskType) {
        Engine.getInstance().setRandomSeed(42);
        return TransformerModel.bert(config(), taskType, 2, manager);
    }
}
