package dev.peft4j.core.memory;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.ndarray.types.Shape;
import dev.peft4j.core.model.BertConfig;
import dev.peft4j.core.model.BertModel;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.ModelShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link ModelShape} of a live peft4j model, read from its blocks: every parameter as the model
 * names it ({@code bert.encoder.layer.0.attention.self.query.weight}), every {@link Linear} with its
 * widths, and for {@link TaskType#SEQ_CLS} the {@code classifier} head that every PEFT method trains
 * as a copy. Closed-form accounting on this shape can be checked against
 * {@link Parameters#count} of the adapted model.
 */
public final class LiveModelShapes {

    private LiveModelShapes() {}

    /**
     * @param model an unadapted BERT-family model
     * @return its shape
     * @throws IllegalArgumentException if the model holds no {@link BertModel} encoder
     */
    public static ModelShape of(TransformerModel model) {
        BertConfig config = null;
        List<ModelShape.Linear> linears = new ArrayList<>();
        for (Map.Entry<String, Block> entry : model.modules().entrySet()) {
            if (entry.getValue() instanceof Linear linear) {
                linears.add(new ModelShape.Linear(entry.getKey(), linear.inFeatures(), linear.outFeatures(), linear.hasBias()));
            } else if (entry.getValue() instanceof BertModel bert) {
                config = bert.config();
            }
        }
        if (config == null) {
            throw new IllegalArgumentException("the model holds no BertModel encoder; only BERT-family models have a live shape");
        }
        List<ModelShape.Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, Parameter> entry : Parameters.byName(model.root()).entrySet()) {
            Shape shape = entry.getValue().getShape();
            long rows = shape.dimension() == 1 ? 1 : shape.get(0);
            tensors.add(new ModelShape.Tensor(entry.getKey(), rows, shape.size() / rows));
        }
        List<String> heads = model.taskType() == TaskType.SEQ_CLS ? List.of(PeftModel.CLASSIFIER) : List.of();
        return new ModelShape(config.modelType(), config.hiddenSize(), config.numHiddenLayers(), config.numAttentionHeads(),
                config.numAttentionHeads(), config.headSize(), config.intermediateSize(), config.vocabSize(),
                config.maxPositionEmbeddings(), false, config.hiddenDropoutProb(), config.attentionProbsDropoutProb(),
                model.defaultTargetModules(), tensors, linears, heads);
    }
}
