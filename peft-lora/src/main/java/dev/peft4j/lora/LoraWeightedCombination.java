package dev.peft4j.lora;

import dev.peft4j.core.io.AdapterKeys;
import dev.peft4j.core.io.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * Combines LoRA adapters into a new one with weights, HF PEFT's {@code LoraModel.add_weighted_adapter}
 * ({@code _check_add_weighted_adapter} for the checks and ranks), on adapters in their saved form.
 *
 * <p>For a module adapted by sources {@code i} with {@code A_i (r_i, in)}, {@code B_i (out, r_i)},
 * scaling {@code s_i} ({@code lora_alpha / r}, rsLoRA {@code lora_alpha / sqrt(r)}, with the
 * module's {@code rank_pattern} / {@code alpha_pattern}) and weight {@code w_i}, the new factors are
 * ({@link LoraCombinationType}):
 * <ul>
 *   <li>{@code linear}: {@code A = sum_i sign(w_i s_i) sqrt(|w_i s_i|) A_i},
 *       {@code B = sum_i sqrt(|w_i s_i|) B_i}; every source's {@code r} must be equal, the new
 *       {@code r} is that rank. <b>The result's update {@code B A} is not the weighted sum of the
 *       sources' updates</b> {@code sum_i w_i s_i B_i A_i}: it is {@code (sum_i c_i B_i)(sum_j c'_j A_j)}
 *       and holds the cross terms {@code c_i c'_j B_i A_j}, {@code i != j} (HF PEFT's behaviour, from
 *       task arithmetic on the factors);
 *   <li>{@code cat}: {@code A} stacks {@code w_i s_i A_i} by rows and {@code B} the {@code B_i} by
 *       columns; the new {@code r} is {@code sum_i r_i} and {@code B A = sum_i w_i s_i B_i A_i}
 *       exactly;
 *   <li>{@code svd}: {@code sum_i w_i s_i B_i A_i} truncated to {@code svd_rank} (default: the
 *       largest source {@code r}, as HF) by SVD, {@code B = U_r diag(S_r)}, {@code A = Vh_r}, with
 *       HF's optional {@code svd_clamp}. HF PEFT multiplies the sources' scaling in twice here
 *       ({@code weight * scaling} times {@code get_delta_weight}, which is already scaled); peft4j
 *       scales once, so {@code svd} approximates the same update {@code cat} gives exactly (the two
 *       agree with HF whenever {@code lora_alpha = r}).
 * </ul>
 * A source's rank is {@code r}, or {@code max(r, rank_pattern values)} with a {@code rank_pattern}
 * (HF); a module whose factors are smaller is padded with zeros, which changes nothing. With one
 * source every combination is {@code linear} (HF), which reproduces the source's update
 * {@code w s B A}. A module only some sources adapt is combined from those; modules that no source
 * adapts stay untouched. {@code fan_in_fan_out} changes nothing here: {@code lora_A} and
 * {@code lora_B} are stored {@code (r, in)} and {@code (out, r)} either way.
 *
 * <p>The result ({@link LoraCombinedConfig}) has scaling 1 ({@code lora_alpha = r}, rsLoRA off), so
 * it is a plain adapter. {@code modules_to_save} copies (a SEQ_CLS head) saved by exactly one source
 * are carried over; HF PEFT refuses when several sources save the same module, and so does peft4j
 * (HF gives the new adapter a fresh copy of the base module instead of carrying the one source's;
 * in saved form there is no base module, and the trained copy is what the source computes with).
 */
public final class LoraWeightedCombination {

    private static final Pattern LORA_KEY = Pattern.compile("(.+)\\.lora_([AB])\\.weight");

    private LoraWeightedCombination() {}

    /**
     * Combines {@code sources} as described in the class comment.
     *
     * @param sources the adapters with weights, at least one; the first one's config is the template
     * @param combinationType {@code linear}, {@code cat} or {@code svd}
     * @param svdRank {@code svd}'s rank, {@code null} for the largest source rank
     * @param svdClamp {@code svd}'s clamping quantile in {@code [0, 1]}, {@code null} for none
     * @return the new adapter's config and tensors
     * @throws IllegalArgumentException naming the value and what is allowed: no sources; a name twice;
     *     an unknown combination ({@code unknown combination_type 'ties'; known: [linear, cat, svd]});
     *     {@code svd_rank} / {@code svd_clamp} with another combination; a DoRA source or one with
     *     {@code bias} other than {@code none}; {@code linear} over different ranks (naming them);
     *     tensors that disagree with the config or with each other (naming the key and shapes);
     *     two sources saving the same {@code modules_to_save} module
     */
    public static LoraCombinedAdapter combine(List<LoraWeightedSource> sources, String combinationType, Integer svdRank,
            Double svdClamp) {
        if (sources == null || sources.isEmpty()) {
            throw new IllegalArgumentException("add_weighted_adapter needs at least one adapter, got none");
        }
        LoraCombinationType requested = LoraCombinationType.fromName(combinationType);
        if (requested != LoraCombinationType.SVD && (svdRank != null || svdClamp != null)) {
            throw new IllegalArgumentException((svdRank != null ? "svd_rank" : "svd_clamp")
                    + " applies to combination_type 'svd' only, got '" + combinationType + "'");
        }
        if (svdRank != null && svdRank <= 0) {
            throw new IllegalArgumentException("svd_rank must be > 0, got " + svdRank);
        }
        if (svdClamp != null && !(svdClamp >= 0 && svdClamp <= 1)) {
            throw new IllegalArgumentException("svd_clamp must be in [0, 1], got " + svdClamp);
        }
        List<String> names = new ArrayList<>();
        for (LoraWeightedSource source : sources) {
            if (names.contains(source.name())) {
                throw new IllegalArgumentException("adapter '" + source.name() + "' is listed twice");
            }
            names.add(source.name());
            checkFoldable(source);
        }
        LoraCombinationType type = sources.size() == 1 ? LoraCombinationType.LINEAR : requested;
        int rank = newRank(sources, type, svdRank);

        Map<String, List<LoraModuleFactors>> modules = new LinkedHashMap<>();
        Map<String, HostTensor> carried = new LinkedHashMap<>();
        Map<String, String> carriedFrom = new LinkedHashMap<>();
        for (LoraWeightedSource source : sources) {
            readModules(source).forEach((path, factors) -> modules.computeIfAbsent(path, p -> new ArrayList<>()).add(factors));
            source.tensors().forEach((key, tensor) -> {
                if (LORA_KEY.matcher(key).matches()) {
                    return;
                }
                String earlier = carriedFrom.putIfAbsent(key, source.name());
                if (earlier != null) {
                    throw new IllegalArgumentException("adapters '" + earlier + "' and '" + source.name() + "' both save '" + key
                            + "' (modules_to_save); as in HF PEFT, adapters that save the same module cannot be combined");
                }
                carried.put(key, tensor);
            });
        }
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        modules.forEach((path, factors) -> {
            checkShapes(path, factors);
            LoraFactorCombiner.Factors combined = switch (type) {
                case LINEAR -> LoraFactorCombiner.linear(path, factors, rank);
                case CAT -> LoraFactorCombiner.cat(factors, rank);
                case SVD -> LoraFactorCombiner.svd(factors, rank, svdClamp);
            };
            tensors.put(AdapterKeys.PREFIX + path + ".lora_A.weight", toTensor(combined.a()));
            tensors.put(AdapterKeys.PREFIX + path + ".lora_B.weight", toTensor(combined.b()));
        });
        tensors.putAll(carried);
        return new LoraCombinedAdapter(LoraCombinedConfig.of(sources, rank, List.copyOf(modules.keySet())), tensors);
    }

    /** HF's {@code _check_add_weighted_adapter} ranks: equal for linear, the sum for cat, svd_rank or the max for svd. */
    private static int newRank(List<LoraWeightedSource> sources, LoraCombinationType type, Integer svdRank) {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        for (LoraWeightedSource source : sources) {
            LoraConfig config = source.config();
            int rank = config.r();
            for (int patternRank : config.rankPattern().values()) {
                rank = Math.max(rank, patternRank);
            }
            ranks.put(source.name(), rank);
        }
        return switch (type) {
            case LINEAR -> {
                if (ranks.values().stream().distinct().count() > 1) {
                    throw new IllegalArgumentException("combination_type 'linear' needs adapters of equal rank, got r "
                            + ranks + "; use 'cat' or 'svd' to combine different ranks");
                }
                yield ranks.values().iterator().next();
            }
            case CAT -> ranks.values().stream().mapToInt(Integer::intValue).sum();
            case SVD -> svdRank != null ? svdRank : ranks.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        };
    }

    private static void checkFoldable(LoraWeightedSource source) {
        LoraConfig config = source.config();
        if (config.useDora()) {
            throw new IllegalArgumentException("adapter '" + source.name() + "' uses DoRA (use_dora: true); add_weighted_adapter "
                    + "combines plain LoRA adapters only: a DoRA magnitude vector cannot be folded into A and B");
        }
        if (config.bias() != LoraConfig.Bias.NONE) {
            throw new IllegalArgumentException("adapter '" + source.name() + "' has bias '" + config.bias().json()
                    + "'; add_weighted_adapter needs bias 'none' in every adapter (HF PEFT allows only one adapter with bias)");
        }
    }

    /** The source's factors per module path, with the module's scaling from the config. */
    private static Map<String, LoraModuleFactors> readModules(LoraWeightedSource source) {
        Map<String, HostTensor[]> pairs = new LinkedHashMap<>();
        source.tensors().forEach((key, tensor) -> {
            Matcher matcher = LORA_KEY.matcher(key);
            if (matcher.matches()) {
                String path = matcher.group(1).startsWith(AdapterKeys.PREFIX)
                        ? matcher.group(1).substring(AdapterKeys.PREFIX.length()) : matcher.group(1);
                pairs.computeIfAbsent(path, p -> new HostTensor[2])["A".equals(matcher.group(2)) ? 0 : 1] = tensor;
            }
        });
        Map<String, LoraModuleFactors> modules = new LinkedHashMap<>();
        pairs.forEach((path, pair) -> {
            for (int i = 0; i < 2; i++) {
                if (pair[i] == null) {
                    throw new IllegalArgumentException("adapter '" + source.name() + "' has " + (i == 0 ? "lora_B" : "lora_A")
                            + " but no " + (i == 0 ? "lora_A" : "lora_B") + " for module '" + path + "'");
                }
            }
            RealMatrix a = toMatrix(source.name(), path + ".lora_A.weight", pair[0]);
            RealMatrix b = toMatrix(source.name(), path + ".lora_B.weight", pair[1]);
            LoraConfig config = source.config();
            int rank = config.rankFor(path);
            if (a.getRowDimension() != rank || b.getColumnDimension() != rank) {
                throw new IllegalArgumentException("adapter '" + source.name() + "' module '" + path + "': lora_A "
                        + Arrays.toString(pair[0].shape()) + " and lora_B " + Arrays.toString(pair[1].shape())
                        + " do not have the rank its config gives, r " + rank);
            }
            double alpha = config.alphaFor(path);
            double scaling = config.useRslora() ? alpha / Math.sqrt(rank) : alpha / rank;
            modules.put(path, new LoraModuleFactors(source.name(), a, b, scaling, source.weight()));
        });
        return modules;
    }

    private static void checkShapes(String path, List<LoraModuleFactors> factors) {
        LoraModuleFactors first = factors.getFirst();
        for (LoraModuleFactors other : factors) {
            if (other.a().getColumnDimension() != first.a().getColumnDimension()
                    || other.b().getRowDimension() != first.b().getRowDimension()) {
                throw new IllegalArgumentException("module '" + path + "' is (out " + first.b().getRowDimension() + ", in "
                        + first.a().getColumnDimension() + ") in adapter '" + first.adapter() + "' but (out "
                        + other.b().getRowDimension() + ", in " + other.a().getColumnDimension() + ") in adapter '"
                        + other.adapter() + "'; were they trained on different base models?");
            }
        }
    }

    private static RealMatrix toMatrix(String adapter, String key, HostTensor tensor) {
        long[] shape = tensor.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("adapter '" + adapter + "' tensor '" + key + "' has shape "
                    + Arrays.toString(shape) + "; LoRA factors are 2-D");
        }
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        double[][] data = new double[rows][cols];
        float[] values = tensor.values();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                data[r][c] = values[r * cols + c];
            }
        }
        return MatrixUtils.createRealMatrix(data);
    }

    static HostTensor toTensor(RealMatrix matrix) {
        int rows = matrix.getRowDimension();
        int cols = matrix.getColumnDimension();
        float[] values = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                values[r * cols + c] = (float) matrix.getEntry(r, c);
            }
        }
        return new HostTensor(new long[] {rows, cols}, values);
    }
}
