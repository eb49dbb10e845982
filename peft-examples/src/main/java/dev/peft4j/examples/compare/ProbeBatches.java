package dev.peft4j.examples.compare;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.model.SentenceTokenizer;
import dev.peft4j.core.train.Autograd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * A fixed batching of probe sentences: sorted by token count (stable, so ties keep their order)
 * and cut into batches of {@code batchSize}, each padded to its longest sentence, which wastes
 * far fewer padding tokens than file order. Every pass over the same {@code ProbeBatches} runs the
 * same batches with the same shapes, so two passes of an unchanged model give bit-identical rows.
 * Rows come back in the sentences' original order.
 */
final class ProbeBatches {

    private final List<List<String>> batches;
    private final int[] order;
    private final String tokenDigest;

    private ProbeBatches(List<List<String>> batches, int[] order, String tokenDigest) {
        this.batches = batches;
        this.order = order;
        this.tokenDigest = tokenDigest;
    }

    /**
     * @param sentences the sentences, at least one
     * @param tokenizer the model's tokenizer (its truncation length applies)
     * @param batchSize sentences per forward pass, &gt; 0
     * @return the batching
     * @throws IllegalArgumentException if there are no sentences or {@code batchSize <= 0}
     */
    static ProbeBatches byLength(List<String> sentences, SentenceTokenizer tokenizer, int batchSize) {
        if (sentences.isEmpty()) {
            throw new IllegalArgumentException("the forgetting probe needs at least one sentence");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("the forgetting probe's batch size must be > 0, got " + batchSize);
        }
        MessageDigest digest = Digests.sha256();
        int[] lengths = new int[sentences.size()];
        for (int i = 0; i < lengths.length; i++) {
            long[] ids = tokenizer.encode(sentences.get(i));
            lengths[i] = ids.length;
            ByteBuffer bytes = ByteBuffer.allocate(Integer.BYTES + ids.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.putInt(ids.length);
            for (long id : ids) {
                bytes.putLong(id);
            }
            digest.update(bytes.flip());
        }
        int[] order = IntStream.range(0, lengths.length).boxed()
                .sorted(Comparator.comparingInt(i -> lengths[i])).mapToInt(Integer::intValue).toArray();
        List<List<String>> batches = new ArrayList<>();
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(start + batchSize, order.length);
            batches.add(Arrays.stream(order, start, end).mapToObj(sentences::get).toList());
        }
        return new ProbeBatches(List.copyOf(batches), order, HexFormat.of().formatHex(digest.digest()));
    }

    /** @return the number of sentences */
    int size() {
        return order.length;
    }

    /** @return SHA-256 (hex) of every sentence's token ids, in the sentences' order: fixes tokenizer and truncation */
    String tokenDigest() {
        return tokenDigest;
    }

    /**
     * Runs {@code forward} over every batch without recording gradients, each batch's arrays in a
     * sub-manager of {@code parent} closed right after.
     *
     * @param tokenizer the tokenizer given to {@link #byLength}
     * @param parent the model's manager
     * @param forward inputs {@code (batch, seq)} to rows {@code (batch, width)}
     * @return {@code (sentences, width)} fp32 rows in the sentences' original order
     * @throws IllegalStateException if a batch's output is not {@code (batch, width)} with one width throughout
     */
    HostTensor run(SentenceTokenizer tokenizer, NDManager parent, Function<NDList, NDArray> forward) {
        float[] values = null;
        int width = -1;
        int done = 0;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            for (List<String> batch : batches) {
                float[] rows;
                try (NDManager scope = parent.newSubManager()) {
                    NDArray out = forward.apply(tokenizer.encode(batch).toNDList(scope));
                    long[] shape = out.getShape().getShape();
                    if (shape.length != 2 || shape[0] != batch.size() || (width >= 0 && shape[1] != width)) {
                        throw new IllegalStateException("a probe batch of " + batch.size() + " sentences gave shape "
                                + out.getShape() + ", expected (" + batch.size() + ", " + (width >= 0 ? width : "width") + ")");
                    }
                    rows = out.toFloatArray();
                    if (width < 0) {
                        width = Math.toIntExact(shape[1]);
                        values = new float[Math.multiplyExact(order.length, width)];
                    }
                }
                for (int r = 0; r < batch.size(); r++) {
                    System.arraycopy(rows, r * width, values, order[done + r] * width, width);
                }
                done += batch.size();
            }
        }
        return new HostTensor(new long[] {order.length, width}, values);
    }
}
