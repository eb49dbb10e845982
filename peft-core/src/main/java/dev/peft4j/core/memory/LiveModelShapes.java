package dev.peft4j.core.memory;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.ndarray.types.Shape;
import dev.peft4j.core.model.BertConfig;
import dev.peft4j.core.model.BertModel;
import dev.peft4j.core.model.Conv1D;
import dev.peft4j.core.model.Gpt2Config;
import dev.peft4j.core.model.Gpt2Model;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.model.LlamaConfig;
import dev.peft4j.core.model.LlamaModel;
import dev.peft4j.core.model.Parameters;
import dev.peft4j.core.model.TaskType;
import dev.peft4j.core.model.TiedLmHead;
import dev.peft4j.core.model.TransformerModel;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.spi.ModelShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link ModelShape} of a live peft4j model, read from its blocks: every parameter as the model
 * names it ({@code bert.encoder.layer.0.attention.self.query.weight},
 * {@code model.layers.0.self_attn.q_proj.weight}), every {@link Linear} (and {@link Conv1D}) with its
 * widths, and for {@link TaskType#SEQ_CLS} the {@code classifier} head that every PEFT method trains
 * as a copy. Closed-form accounting on this shape can be checked against
 * {@link Parameters#count} of the adapted model.
 */
public final class LiveModelShapes {

    private LiveModelShapes() {}

    /**
     * @param model an unadapted BERT-family encoder, Llama or GPT-2 decoder
     * @return its shape; a decoder's lists {@code lm_head} among the linears (tied or not) and
     *     GPT-2's {@link Conv1D}s as linears with their {@code (in, out)} widths, as
     *     {@link HfModelShapes} does
     * @throws IllegalArgumentException if the model holds none of these base models
     */
    public static ModelShape of(TransformerModel model) {
        List<ModelShape.Linear> linears = new ArrayList<>();
        ModelShape sizes = null;
        for (Map.Entry<String, Block> entry : model.modules().entrySet()) {
            Block block = entry.getValue();
            if (block instanceof Linear linear) {
                linears.add(new ModelShape.Linear(entry.getKey(), linear.inFeatures(), linear.outFeatures(), linear.hasBias()));
            } else if (block instanceof Conv1D conv) {
                linears.add(new ModelShape.Linear(entry.getKey(), conv.inFeatures(), conv.outFeatures(), true));
            } else if (block instanceof TiedLmHead head) {
                linears.add(new ModelShape.Linear(entry.getKey(), head.embedding().dim(), head.embedding().numEmbeddings(), false));
            } else if (sizes == null) {
                sizes = sizes(block);
            }
        }
        if (sizes == null) {
            throw new IllegalArgumentException("the model holds no BertModel, LlamaModel or Gpt2Model; only those have a live shape");
        }
        List<ModelShape.Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, Parameter> entry : Parameters.byName(model.root()).entrySet()) {
            Shape shape = entry.getValue().getShape();
            long rows = shape.dimension() == 1 ? 1 : shape.get(0);
            tensors.add(new ModelShape.Tensor(entry.getKey(), rows, shape.size() / rows));
        }
        List<String> heads = model.taskType() == TaskType.SEQ_CLS ? List.of(PeftModel.CLASSIFIER) : List.of();
        return new ModelShape(sizes.family(), sizes.hiddenSize(), sizes.numLayers(), sizes.numAttentionHeads(),
                sizes.numKeyValueHeads(), sizes.headDim(), sizes.intermediateSize(), sizes.vocabSize(),
                sizes.maxPositionEmbeddings(), sizes.tieWordEmbeddings(), sizes.hiddenDropout(), sizes.attentionDropout(),
                model.defaultTargetModules(), tensors, linears, heads);
    }

    /** The sizes of a base model block (tensors and linears left empty), or {@code null} for any other block. */
    private static ModelShape sizes(Block block) {
        if (block instanceof BertModel bert) {
            BertConfig c = bert.config();
            return new ModelShape(c.modelType(), c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.numAttentionHeads(),
                    c.headSize(), c.intermediateSize(), c.vocabSize(), c.maxPositionEmbeddings(), false, c.hiddenDropoutProb(),
                    c.attentionProbsDropoutProb(), List.of(), List.of(), List.of(), List.of());
        }
        if (block instanceof LlamaModel llama) {
            LlamaConfig c = llama.config();
            return new ModelShape(c.modelType(), c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(),
                    c.headDim(), c.intermediateSize(), c.vocabSize(), c.maxPositionEmbeddings(), c.tieWordEmbeddings(), 0.0,
                    c.attentionDropout(), List.of(), List.of(), List.of(), List.of());
        }
        if (block instanceof Gpt2Model gpt2) {
            Gpt2Config c = gpt2.config();
            return new ModelShape(c.modelType(), c.nEmbd(), c.nLayer(), c.nHead(), c.nHead(), c.headDim(), c.nInner(), c.vocabSize(),
                    c.nPositions(), true, c.residPdrop(), c.attnPdrop(), List.of(), List.of(), List.of(), List.of());
        }
        return null;
    }
}
