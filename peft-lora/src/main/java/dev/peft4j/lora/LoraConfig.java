package dev.peft4j.lora;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.peft4j.core.spi.PeftConfig;
import dev.peft4j.core.target.TargetModules;
import dev.peft4j.core.target.TargetSelection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The configuration of LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"):
 * each targeted {@code Linear} {@code W (out, in)} (or GPT-2 {@code Conv1D}, stored {@code (in, out)}) gains a trainable update
 * {@code scaling * B A} with {@code A (r, in)}, {@code B (out, r)}, and
 * {@code scaling = lora_alpha / r}, or {@code lora_alpha / sqrt(r)} with rsLoRA (Kalajdzievski 2023).
 * With {@code use_dora} the layer is DoRA (Liu et al. 2024): a trainable magnitude vector rescales
 * each output row of {@code W + scaling * B A} to a learned norm, see {@link LoraMagnitudeVector}.
 *
 * <p>JSON keys, defaults and meaning are HF PEFT's {@code LoraConfig} ({@code peft_type} {@code LORA}).
 * Every component is boxed so that an absent JSON key arrives as {@code null} and takes HF's default.
 * HF keys this record does not model ({@code layers_pattern}, {@code use_qalora}, ...) are accepted
 * from HF-written configs only at their HF default, see {@link LoraProvider#hfIgnorableDefaults()}.
 *
 * @param r the rank, default 8, must be &gt; 0
 * @param targetModules which modules to adapt; {@code null} (default) for the architecture's
 *     defaults (BERT: {@code query}, {@code value})
 * @param excludeModules modules to leave alone even when targeted; default {@code null}
 * @param loraAlpha the scaling numerator, default 8 (HF types it {@code int}; fractional values
 *     are accepted, as Python accepts them)
 * @param loraDropout dropout on the input of the LoRA path, default 0.0, in {@code [0, 1)}
 * @param fanInFanOut whether the targeted weights are stored {@code (in, out)} (GPT-2's
 *     {@code Conv1D}); default false. As in HF PEFT the targets decide: {@link LoraMethod} sets it
 *     true for {@code Conv1D} targets and false for {@code Linear} ones, warning when the config
 *     said otherwise, and its {@link LoraMethod#config()} (what is saved) holds the corrected value
 * @param bias which biases train: {@link Bias#NONE} (default), {@link Bias#ALL},
 *     {@link Bias#LORA_ONLY}
 * @param useRslora rank-stabilised scaling {@code lora_alpha / sqrt(r)}; default false
 * @param useDora weight-decomposed LoRA (DoRA, Liu et al. 2024): each wrapped layer also trains a
 *     magnitude vector {@code m (out)}; default false
 * @param modulesToSave further modules trained and saved whole; default empty
 * @param initLoraWeights how {@code A} and {@code B} start; default {@link InitLoraWeights#KAIMING}
 * @param layersToTransform only modules in these layer indices; default {@code null} (all).
 *     A single JSON integer is read as a one-element list, as HF allows
 * @param rankPattern per-module ranks: key a regex matched against the end of the module path
 *     (HF's {@code re.match(rf"(.*\.)?({key})$", path)}), first match wins; default empty
 * @param alphaPattern per-module alphas, keyed as {@code rank_pattern}; default empty
 */
public record LoraConfig(
        @JsonProperty("r") Integer r,
        @JsonProperty("target_modules") TargetModules targetModules,
        @JsonProperty("exclude_modules") TargetModules excludeModules,
        @JsonProperty("lora_alpha") Double loraAlpha,
        @JsonProperty("lora_dropout") Double loraDropout,
        @JsonProperty("fan_in_fan_out") Boolean fanInFanOut,
        @JsonProperty("bias") Bias bias,
        @JsonProperty("use_rslora") Boolean useRslora,
        @JsonProperty("use_dora") Boolean useDora,
        @JsonProperty("modules_to_save") List<String> modulesToSave,
        @JsonProperty("init_lora_weights") InitLoraWeights initLoraWeights,
        @JsonProperty("layers_to_transform") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                List<Integer> layersToTransform,
        @JsonProperty("rank_pattern") Map<String, Integer> rankPattern,
        @JsonProperty("alpha_pattern") Map<String, Double> alphaPattern)
        implements PeftConfig {

    /** HF's {@code peft_type} of LoRA. */
    public static final String PEFT_TYPE = "LORA";

    /** HF PEFT's {@code bias} values: which biases are trained besides the LoRA matrices. */
    public enum Bias {
        /** No bias is trained. */
        NONE("none"),
        /** Every bias of the model is trained (HF: every parameter named {@code bias} or {@code *.bias}). */
        ALL("all"),
        /** Only the biases of the layers LoRA wraps. */
        LORA_ONLY("lora_only");

        private final String json;

        Bias(String json) {
            this.json = json;
        }

        /** @return the JSON spelling */
        @JsonValue
        public String json() {
            return json;
        }

        /**
         * @param json {@code none}, {@code all} or {@code lora_only}
         * @return the value
         * @throws IllegalArgumentException {@code lora.bias must be one of [none, all, lora_only], got 'some'}
         */
        @JsonCreator
        public static Bias fromJson(String json) {
            for (Bias bias : values()) {
                if (bias.json.equals(json)) {
                    return bias;
                }
            }
            throw new IllegalArgumentException("lora.bias must be one of [none, all, lora_only], got '" + json + "'");
        }
    }

    /**
     * HF PEFT's {@code init_lora_weights}, the values peft4j implements. HF's data-driven or
     * SVD-based choices ({@code pissa}, {@code olora}, {@code eva}, {@code corda}, {@code loftq},
     * {@code orthogonal}, ...) are rejected by name.
     */
    public enum InitLoraWeights {
        /**
         * JSON {@code true}: {@code A ~ U(-1/sqrt(in), 1/sqrt(in))} (PyTorch's Kaiming-uniform with
         * {@code a = sqrt(5)}, the {@code nn.Linear} default) and {@code B = 0}, so a fresh adapter
         * changes nothing (Hu et al. 2021, section 4.1).
         */
        KAIMING(Boolean.TRUE),
        /** JSON {@code "gaussian"}: {@code A ~ N(0, std = 1/r)}, {@code B = 0}. */
        GAUSSIAN("gaussian"),
        /**
         * JSON {@code false}: both matrices keep {@code nn.Linear}'s default
         * ({@code A ~ U(+-1/sqrt(in))}, {@code B ~ U(+-1/sqrt(r))}), so the adapter is not a no-op;
         * for tests and debugging.
         */
        RANDOM(Boolean.FALSE);

        private final Object json;

        InitLoraWeights(Object json) {
            this.json = json;
        }

        /** @return the JSON value: a boolean or a string */
        @JsonValue
        public Object json() {
            return json;
        }

        /**
         * @param json {@code true}, {@code false} or {@code "gaussian"}
         * @return the value
         * @throws IllegalArgumentException naming the value and the allowed ones
         */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static InitLoraWeights fromJson(Object json) {
            for (InitLoraWeights init : values()) {
                if (init.json.equals(json)) {
                    return init;
                }
            }
            String shown = json instanceof String text ? "\"" + text + "\"" : String.valueOf(json);
            throw new IllegalArgumentException("lora.init_lora_weights must be one of [true, false, \"gaussian\"], got "
                    + shown + " (HF's other initialisations are not implemented)");
        }
    }

    /**
     * Fills HF's defaults and validates.
     *
     * @throws IllegalArgumentException naming the key, the value and what is allowed, e.g.
     *     {@code lora.r must be > 0, got 0}
     */
    public LoraConfig {
        r = r == null ? 8 : r;
        loraAlpha = loraAlpha == null ? 8.0 : loraAlpha;
        loraDropout = loraDropout == null ? 0.0 : loraDropout;
        fanInFanOut = fanInFanOut != null && fanInFanOut;
        bias = bias == null ? Bias.NONE : bias;
        useRslora = useRslora != null && useRslora;
        useDora = useDora != null && useDora;
        modulesToSave = modulesToSave == null ? List.of() : List.copyOf(modulesToSave);
        initLoraWeights = initLoraWeights == null ? InitLoraWeights.KAIMING : initLoraWeights;
        layersToTransform = layersToTransform == null ? null : List.copyOf(layersToTransform);
        rankPattern = orderedCopy(rankPattern);
        alphaPattern = orderedCopy(alphaPattern);

        if (r <= 0) {
            throw new IllegalArgumentException("lora.r must be > 0, got " + r);
        }
        requireFinite("lora_alpha", loraAlpha);
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            throw new IllegalArgumentException("lora.lora_dropout must be in [0, 1), got " + loraDropout);
        }
        if (layersToTransform != null && targetModules != null && targetModules.kind() != TargetModules.Kind.NAMES) {
            throw new IllegalArgumentException("lora.layers_to_transform cannot be used when target_modules is a string ("
                    + targetModules + "), as in HF PEFT; list the module names instead");
        }
        new TargetSelection(targetModules, excludeModules, layersToTransform);
        rankPattern.forEach((key, rank) -> {
            requirePatternKey("rank_pattern", key);
            if (rank == null || rank <= 0) {
                throw new IllegalArgumentException("lora.rank_pattern['" + key + "'] must be > 0, got " + rank);
            }
        });
        alphaPattern.forEach((key, alpha) -> {
            requirePatternKey("alpha_pattern", key);
            requireFinite("alpha_pattern['" + key + "']", alpha);
        });
    }

    /** @return a config with every HF default */
    public static LoraConfig defaults() {
        return builder().build();
    }

    /** @return a builder starting from HF's defaults */
    public static LoraConfigBuilder builder() {
        return new LoraConfigBuilder();
    }

    /** @return a builder holding this config's values */
    public LoraConfigBuilder toBuilder() {
        return new LoraConfigBuilder(this);
    }

    /** @return the module-selection fields for {@code TargetResolver} */
    public TargetSelection selection() {
        return new TargetSelection(targetModules, excludeModules, layersToTransform);
    }

    /**
     * The rank of the module at {@code path}: the value of the first {@code rank_pattern} key that
     * matches the path's end, else {@link #r()} (HF's {@code get_pattern_key}).
     *
     * @param path a dotted module path
     * @return the rank, &gt; 0
     */
    public int rankFor(String path) {
        Integer rank = firstMatch(rankPattern, path);
        return rank == null ? r : rank;
    }

    /**
     * The alpha of the module at {@code path}, from {@code alpha_pattern} as {@link #rankFor}.
     *
     * @param path a dotted module path
     * @return the alpha
     */
    public double alphaFor(String path) {
        Double alpha = firstMatch(alphaPattern, path);
        return alpha == null ? loraAlpha : alpha;
    }

    private static <V> V firstMatch(Map<String, V> pattern, String path) {
        for (Map.Entry<String, V> entry : pattern.entrySet()) {
            if (Pattern.compile("(.*\\.)?(" + entry.getKey() + ")$").matcher(path).matches()) {
                return entry.getValue();
            }
        }
        return null;
    }

    private static <V> Map<String, V> orderedCopy(Map<String, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    private static void requireFinite(String key, Double value) {
        if (value == null || !Double.isFinite(value)) {
            throw new IllegalArgumentException("lora." + key + " must be a finite number, got " + value);
        }
    }

    private static void requirePatternKey(String key, String pattern) {
        try {
            Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("lora." + key + " key '" + pattern + "' is not a valid regex: "
                    + e.getDescription());
        }
    }
}
