package dev.peft4j.examples.compare;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.io.AtomicFiles;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.runtime.PeftModel;
import dev.peft4j.core.train.Autograd;
import dev.peft4j.core.train.TrainingExample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes {@code predictions.jsonl}: one JSON object per held-out sentence, in order,
 * {@code {"index": i, "label": l, "predicted": p, "probabilities": [...]}}, where {@code predicted}
 * is the arg-max of the logits and {@code probabilities} their softmax (float32, one per class).
 * The model runs in inference mode on batches of the training batch size, as
 * {@link dev.peft4j.core.train.Evaluator} does, so the predictions reproduce the reported accuracy.
 */
public final class HeldOutPredictions {

    /** The file name inside a method's folder. */
    public static final String FILE = "predictions.jsonl";

    private HeldOutPredictions() {}

    /**
     * @param file where to write (atomically)
     * @param model the trained {@code SEQ_CLS} model
     * @param tokenizer its tokenizer
     * @param heldOut the held-out examples
     * @param batchSize sentences per forward pass
     * @return how many predictions were correct
     * @throws IOException if the file cannot be written
     */
    public static int write(Path file, PeftModel model, SentenceTokenizer tokenizer, List<TrainingExample> heldOut, int batchSize)
            throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        int correct = 0;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (int start = 0; start < heldOut.size(); start += batchSize) {
                List<TrainingExample> batch = heldOut.subList(start, Math.min(heldOut.size(), start + batchSize));
                try (NDScope scope = new NDScope(); NDManager manager = model.baseModel().manager().newSubManager()) {
                    scope.suppressNotUsedWarning();
                    NDArray logits = model.forward(tokenizer.encode(batch.stream().map(TrainingExample::text).toList())
                            .toNDList(manager), false).head();
                    long[] predicted = logits.argMax(1).toLongArray();
                    int classes = Math.toIntExact(logits.getShape().get(1));
                    float[] probabilities = logits.softmax(1).toFloatArray();
                    for (int i = 0; i < batch.size(); i++) {
                        ObjectNode line = mapper.createObjectNode().put("index", start + i).put("label", batch.get(i).label())
                                .put("predicted", predicted[i]);
                        ArrayNode values = line.putArray("probabilities");
                        for (int c = 0; c < classes; c++) {
                            values.add(probabilities[i * classes + c]);
                        }
                        lines.append(mapper.writeValueAsString(line)).append('\n');
                        correct += predicted[i] == batch.get(i).label() ? 1 : 0;
                    }
                }
            }
        }
        AtomicFiles.write(file, lines.toString().getBytes(StandardCharsets.UTF_8));
        return correct;
    }
}
