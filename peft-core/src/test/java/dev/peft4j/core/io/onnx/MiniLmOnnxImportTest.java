package dev.peft4j.core.io.onnx;

import dev.peft4j.core.model.BertConfig;
import java.util.List;

/** sentence-transformers/all-MiniLM-L6-v2 as exported in langchain4j's jar (90 MB, 6 layers). */
class MiniLmOnnxImportTest extends RealOnnxModelTest {

    @Override
    String resource() {
        return "all-minilm-l6-v2.onnx";
    }

    @Override
    BertConfig expectedConfig() {
        return new BertConfig("bert", 30522, 384, 6, 12, 1536, "gelu", 0.1, 0.1, 512, 2, 1e-12, 0,
                List.of("BertModel"));
    }

    /** The export keeps the INT64 buffer {@code position_ids} as an initializer. */
    @Override
    List<String> expectedSkipped() {
        return List.of("embeddings.position_ids");
    }
}
