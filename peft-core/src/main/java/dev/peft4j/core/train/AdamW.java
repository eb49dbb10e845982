package dev.peft4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import dev.peft4j.core.io.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019, "Decoupled Weight Decay
 * Regularization", Algorithm 2), computed as PyTorch's {@code torch.optim.AdamW}
 * ({@code amsgrad=False}). At update {@code t = 1, 2, ...} with learning rate {@code lr}, for
 * every trainable parameter {@code p} with gradient {@code g}:
 * <pre>
 * p = p * (1 - lr * weight_decay)                    (decay groups only)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g^2
 * p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Updates happen in place on the parameter arrays, with gradient recording off; the gradients
 * are zeroed afterwards. Parameters are split into two groups as HF transformers' {@code Trainer}
 * does: no weight decay for biases and LayerNorm weights ({@link #isDecayExempt}).
 *
 * <p>The state ({@code t}, {@code m}, {@code v}) lives in native arrays owned by this optimizer
 * and can be exported ({@link #state()}) and restored ({@link #loadState}) exactly, so a resumed
 * run continues bit-identically (DJL's optimizers keep their state private).
 *
 * <p>Not thread-safe. {@link #close()} frees the state.
 */
public final class AdamW implements AutoCloseable {

    /** PyTorch's default {@code beta1}. */
    public static final double DEFAULT_BETA1 = 0.9;
    /** PyTorch's default {@code beta2}. */
    public static final double DEFAULT_BETA2 = 0.999;
    /** PyTorch's default {@code eps}. */
    public static final double DEFAULT_EPS = 1e-8;

    private final Map<String, Parameter> parameters;
    private final Map<String, Boolean> decays;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private final double weightDecay;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final NDManager stateManager;
    private long step;

    private AdamW(Builder builder) {
        Map<String, Parameter> trainable = new LinkedHashMap<>();
        builder.parameters.forEach((name, parameter) -> {
            if (parameter.requiresGradient()) {
                trainable.put(name, parameter);
            }
        });
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("no trainable parameters: none of the " + builder.parameters.size()
                    + " parameters given requires a gradient (is every block frozen, or did the method inject nothing?)");
        }
        this.parameters = java.util.Collections.unmodifiableMap(trainable);
        this.weightDecay = builder.weightDecay;
        this.beta1 = builder.beta1;
        this.beta2 = builder.beta2;
        this.eps = builder.eps;
        this.decays = new LinkedHashMap<>();
        NDArray first = trainable.values().iterator().next().getArray();
        this.stateManager = first.getManager().newSubManager();
        for (Map.Entry<String, Parameter> entry : trainable.entrySet()) {
            NDArray array = entry.getValue().getArray();
            decays.put(entry.getKey(), !builder.noDecay.test(entry.getKey()));
            expAvg.put(entry.getKey(), stateManager.zeros(array.getShape(), array.getDataType(), array.getDevice()));
            expAvgSq.put(entry.getKey(), stateManager.zeros(array.getShape(), array.getDataType(), array.getDevice()));
        }
    }

    /** @return a builder; {@link Builder#setParameters} is required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * HF transformers' grouping rule: parameters whose name ends with {@code bias} or contains
     * {@code LayerNorm} or {@code layer_norm} get no weight decay.
     *
     * @param name a dotted parameter path
     * @return whether weight decay is skipped for it
     */
    public static boolean isDecayExempt(String name) {
        return name.endsWith("bias") || name.contains("LayerNorm") || name.contains("layer_norm");
    }

    /**
     * Takes one update with the gradients accumulated on the parameters, then zeroes them.
     *
     * @param lr the learning rate of this update (from the schedule), &gt;= 0
     * @throws IllegalArgumentException if {@code lr} is negative or not finite
     */
    public void step(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        }
        step++;
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / biasCorrection1;
        try (Autograd.NoGrad ignored = Autograd.noGrad(); NDScope scope = new NDScope()) {
            for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
                String name = entry.getKey();
                NDArray p = entry.getValue().getArray();
                NDArray g = p.getGradient();
                if (decays.get(name) && weightDecay != 0) {
                    p.muli(1 - lr * weightDecay);
                }
                NDArray m = expAvg.get(name).muli(beta1).addi(g.mul(1 - beta1));
                NDArray v = expAvgSq.get(name).muli(beta2).addi(g.square().muli(1 - beta2));
                NDArray denominator = v.sqrt().divi(biasCorrection2Sqrt).addi(eps);
                p.subi(m.div(denominator).muli(stepSize));
                Autograd.zeroGradient(p);
            }
            scope.suppressNotUsedWarning();
        }
    }

    /** @return the number of updates taken */
    public long stepCount() {
        return step;
    }

    /** @return the trainable parameters this optimizer updates, by dotted path */
    public Map<String, Parameter> parameters() {
        return parameters;
    }

    /** @return the names of parameters that get weight decay, in parameter order */
    public List<String> decayedParameterNames() {
        List<String> out = new ArrayList<>();
        decays.forEach((name, decayed) -> {
            if (decayed) {
                out.add(name);
            }
        });
        return out;
    }

    /** @return the decoupled weight decay coefficient */
    public double weightDecay() {
        return weightDecay;
    }

    /**
     * Copies the state to host memory.
     *
     * @return the step count and both moments of every parameter
     */
    public AdamWState state() {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (String name : parameters.keySet()) {
            tensors.put(name + AdamWState.EXP_AVG, toHost(expAvg.get(name)));
            tensors.put(name + AdamWState.EXP_AVG_SQ, toHost(expAvgSq.get(name)));
        }
        return new AdamWState(step, tensors);
    }

    /**
     * Restores a state exported by {@link #state()} of an optimizer over the same parameters.
     *
     * @param state the state
     * @throws IllegalArgumentException naming missing or unexpected keys, or a shape mismatch;
     *     nothing is changed then
     */
    public void loadState(AdamWState state) {
        Objects.requireNonNull(state, "state");
        TreeSet<String> expected = new TreeSet<>();
        for (String name : parameters.keySet()) {
            expected.add(name + AdamWState.EXP_AVG);
            expected.add(name + AdamWState.EXP_AVG_SQ);
        }
        var missing = expected.stream().filter(k -> !state.tensors().containsKey(k)).toList();
        var unexpected = state.tensors().keySet().stream().filter(k -> !expected.contains(k)).toList();
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("AdamW state does not fit the parameters: missing " + missing + ", unexpected " + unexpected);
        }
        for (String name : parameters.keySet()) {
            requireShape(name + AdamWState.EXP_AVG, state, expAvg.get(name));
            requireShape(name + AdamWState.EXP_AVG_SQ, state, expAvgSq.get(name));
        }
        for (String name : parameters.keySet()) {
            expAvg.get(name).set(state.tensors().get(name + AdamWState.EXP_AVG).values());
            expAvgSq.get(name).set(state.tensors().get(name + AdamWState.EXP_AVG_SQ).values());
        }
        step = state.step();
    }

    private static void requireShape(String key, AdamWState state, NDArray target) {
        long[] have = state.tensors().get(key).shape();
        long[] want = target.getShape().getShape();
        if (!Arrays.equals(have, want)) {
            throw new IllegalArgumentException("AdamW state '" + key + "' has shape " + Arrays.toString(have)
                    + ", the parameter has " + Arrays.toString(want));
        }
    }

    private static HostTensor toHost(NDArray array) {
        return new HostTensor(array.getShape().getShape(), array.toFloatArray());
    }

    @Override
    public void close() {
        stateManager.close();
    }

    /** Builds an {@link AdamW}: {@code set*} required, {@code opt*} optional (DJL convention). */
    public static final class Builder {

        private Map<String, Parameter> parameters;
        private double weightDecay;
        private double beta1 = DEFAULT_BETA1;
        private double beta2 = DEFAULT_BETA2;
        private double eps = DEFAULT_EPS;
        private Predicate<String> noDecay = AdamW::isDecayExempt;

        private Builder() {}

        /**
         * @param parameters initialized parameters by dotted path; only those that require a
         *     gradient are optimized
         * @return this builder
         */
        public Builder setParameters(Map<String, Parameter> parameters) {
            this.parameters = new LinkedHashMap<>(parameters);
            return this;
        }

        /**
         * @param weightDecay the decoupled decay coefficient, &gt;= 0 (default 0, as HF)
         * @return this builder
         */
        public Builder optWeightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * @param beta1 first-moment decay in {@code [0, 1)} (default 0.9)
         * @param beta2 second-moment decay in {@code [0, 1)} (default 0.999)
         * @return this builder
         */
        public Builder optBetas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /**
         * @param eps the denominator term, &gt; 0 (default 1e-8)
         * @return this builder
         */
        public Builder optEps(double eps) {
            this.eps = eps;
            return this;
        }

        /**
         * @param noDecay which parameter names get no weight decay (default {@link AdamW#isDecayExempt})
         * @return this builder
         */
        public Builder optNoDecay(Predicate<String> noDecay) {
            this.noDecay = Objects.requireNonNull(noDecay, "noDecay");
            return this;
        }

        /**
         * @return the optimizer, with zero moments and step 0
         * @throws IllegalArgumentException {@code no trainable parameters: ...} when no parameter
         *     requires a gradient, or naming a hyper-parameter out of range
         * @throws IllegalStateException if {@link #setParameters} was not called
         */
        public AdamW build() {
            if (parameters == null) {
                throw new IllegalStateException("AdamW.builder().setParameters(...) is required");
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("adamw.weight_decay must be finite and >= 0, got " + weightDecay);
            }
            requireBeta("adamw.beta1", beta1);
            requireBeta("adamw.beta2", beta2);
            if (!(eps > 0)) {
                throw new IllegalArgumentException("adamw.eps must be > 0, got " + eps);
            }
            return new AdamW(this);
        }

        private static void requireBeta(String key, double beta) {
            if (!(beta >= 0 && beta < 1)) {
                throw new IllegalArgumentException(key + " must be in [0, 1), got " + beta);
            }
        }
    }
}
