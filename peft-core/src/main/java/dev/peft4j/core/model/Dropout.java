package dev.peft4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Inverted dropout (Srivastava et al. 2014), as PyTorch's {@code nn.Dropout}: in training each
 * element is zeroed with probability {@code rate} and the rest scaled by {@code 1 / (1 - rate)};
 * the identity in inference. Shape preserving; input fp32.
 *
 * <p>Masks are not drawn from the engine's global generator but computed in Java by
 * {@link CounterRng#dropoutMask} from {@code (seed, step, stream)}, so training is bit-reproducible
 * and resumable:
 * <ul>
 *   <li>{@code stream} is {@link CounterRng#streamId} of this dropout's module path, set by
 *       {@link #bindStream} ({@link DropoutStreams} does it for a {@link TransformerModel}'s tree,
 *       including blocks injected through {@link TransformerModel#replaceModule});</li>
 *   <li>{@code (seed, step)} come from the {@link DropoutSeed} in the forward call's
 *       {@code params} ({@link TransformerModel#forward(NDList, DropoutSeed)});</li>
 *   <li>without a {@link DropoutSeed} a training forward uses {@link DropoutSeed#DEFAULT_SEED} and,
 *       as step, this dropout's own count of such calls (0, 1, 2, ...): deterministic for a fresh
 *       model, different at each call.</li>
 * </ul>
 * One dropout called twice in one forward pass with the same {@link DropoutSeed} repeats its mask.
 * A training forward with {@code rate > 0} through a dropout with no stream bound throws
 * {@link IllegalStateException}.
 */
public final class Dropout extends ModuleBlock {

    private static final ThreadLocal<ByteBuffer> STAGING =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()));

    private final double rate;
    private final AtomicLong unseededCalls = new AtomicLong();
    private String path;
    private long streamId;

    /**
     * @param rate the drop probability in {@code [0, 1)}
     * @throws IllegalArgumentException if {@code rate} is outside {@code [0, 1)}
     */
    public Dropout(double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
    }

    /** @return the drop probability */
    public float rate() {
        return (float) rate;
    }

    /**
     * Sets the stream this dropout draws its masks from, derived from its module path. Binding
     * again (the block moved) replaces the stream.
     *
     * @param modulePath the dotted HF module path, e.g. {@code bert.embeddings.dropout}
     */
    public void bindStream(String modulePath) {
        this.path = modulePath;
        this.streamId = CounterRng.streamId(modulePath);
    }

    /** @return the module path bound by {@link #bindStream}, or {@code null} if unbound */
    public String streamPath() {
        return path;
    }

    /**
     * @return the stream id
     * @throws IllegalStateException if no stream is bound
     */
    public long streamId() {
        if (path == null) {
            throw new IllegalStateException("this Dropout has no stream id: blocks of a TransformerModel get one from their "
                    + "module path when built or inserted with replaceModule; otherwise call bindStream(path) "
                    + "(or DropoutStreams.bind) before a training forward");
        }
        return streamId;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        if (!training || rate == 0) {
            return inputs;
        }
        NDArray x = inputs.singletonOrThrow();
        DropoutSeed seed = DropoutSeed.from(params);
        long stream = streamId();
        long runSeed = seed == null ? DropoutSeed.DEFAULT_SEED : seed.seed();
        long step = seed == null ? unseededCalls.getAndIncrement() : seed.step();
        float[] mask = CounterRng.dropoutMask(runSeed, step, stream, Math.toIntExact(x.size()), rate);
        NDArray multiplier = engineOwned(x.getManager(), mask, x.getShape());
        if (x.getDataType() != DataType.FLOAT32) {
            multiplier = multiplier.toType(x.getDataType(), false);
        }
        return new NDList(x.mul(multiplier));
    }

    /**
     * Copies a host mask into an array whose memory the engine owns. {@code NDManager.create(float[])}
     * would leave the data in a fresh direct buffer that only the garbage collector frees, so every
     * training step would leave its masks resident until the next collection (measured: ~70 MB per
     * MiniLM step); here the data passes through one reused direct buffer per thread and is cloned.
     */
    private static NDArray engineOwned(NDManager manager, float[] values, Shape shape) {
        ByteBuffer buffer = STAGING.get();
        int bytes = values.length * Float.BYTES;
        if (buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            STAGING.set(buffer);
        }
        buffer.clear().limit(bytes);
        buffer.asFloatBuffer().put(values);
        try (NDArray staged = manager.create(buffer, shape, DataType.FLOAT32)) {
            return staged.duplicate();
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
