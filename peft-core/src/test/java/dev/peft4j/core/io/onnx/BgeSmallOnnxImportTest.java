package dev.peft4j.core.io.onnx;

import dev.peft4j.core.model.BertConfig;
import java.util.List;

/** BAAI/bge-small-en-v1.5 as exported in langchain4j's jar (133 MB, 12 layers). */
class BgeSmallOnnxImportTest extends RealOnnxModelTest {

    @Override
    String resource() {
        return "bge-small-en-v1.5.onnx";
    }

    @Override
    BertConfig expectedConfig() {
        return new BertConfig("bert", 30522, 384, 12, 12, 1536, "gelu", 0.1, 0.1, 512, 2, 1e-12, 0,
                List.of("BertModel"));
    }

    /** This export folds {@code position_ids} into a Constant node: nothing to skip. */
    @Override
    List<String> expectedSkipped() {
        return List.of();
    }
}
