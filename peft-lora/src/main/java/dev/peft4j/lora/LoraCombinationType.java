package dev.peft4j.lora;

import java.util.Arrays;
import java.util.List;

/**
 * The ways {@link LoraWeightedCombination} combines LoRA adapters, HF PEFT's
 * {@code combination_type} values of {@code LoraModel.add_weighted_adapter} that peft4j implements.
 * HF's pruning variants ({@code ties}, {@code dare_linear}, {@code dare_ties},
 * {@code magnitude_prune} and their {@code _svd} forms) are not implemented.
 */
public enum LoraCombinationType {
    /**
     * {@code A = sum_i sign(w_i s_i) sqrt(|w_i s_i|) A_i}, {@code B = sum_i sqrt(|w_i s_i|) B_i}; all
     * ranks equal. The result's {@code B A} is NOT {@code sum_i w_i s_i B_i A_i}: it also holds the
     * cross terms {@code sqrt(|w_i s_i w_j s_j|) B_i A_j}.
     */
    LINEAR("linear"),
    /**
     * {@code A = [w_1 s_1 A_1; w_2 s_2 A_2; ...]} (rows), {@code B = [B_1, B_2, ...]} (columns): ranks
     * add and {@code B A = sum_i w_i s_i B_i A_i} exactly.
     */
    CAT("cat"),
    /**
     * {@code sum_i w_i s_i B_i A_i} truncated to {@code svd_rank} by SVD: {@code B = U_r diag(S_r)},
     * {@code A = Vh_r}, the best rank-r approximation in the Frobenius norm (Eckart-Young).
     */
    SVD("svd");

    private final String json;

    LoraCombinationType(String json) {
        this.json = json;
    }

    /** @return HF's name ({@code linear}, {@code cat}, {@code svd}) */
    public String json() {
        return json;
    }

    /** @return every name, in declaration order */
    public static List<String> names() {
        return Arrays.stream(values()).map(LoraCombinationType::json).toList();
    }

    /**
     * @param name HF's {@code combination_type}
     * @return the type
     * @throws IllegalArgumentException {@code unknown combination_type 'ties'; known: [linear, cat, svd]}
     */
    public static LoraCombinationType fromName(String name) {
        for (LoraCombinationType type : values()) {
            if (type.json.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown combination_type '" + name + "'; known: " + names());
    }
}
