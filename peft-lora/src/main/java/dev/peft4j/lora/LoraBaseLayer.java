package dev.peft4j.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.peft4j.core.model.Linear;
import java.util.Objects;

/**
 * The layer a {@link LoraLayer} wraps, seen the way LoRA needs it: its widths, its weight and bias,
 * and how the weight is stored. HF PEFT's {@code lora.Linear} wraps both {@code nn.Linear} (weight
 * {@code (out, in)}) and transformers' GPT-2 {@code Conv1D} (weight {@code (in, out)}, HF's
 * {@code fan_in_fan_out = True}); the LoRA factors keep HF's shapes either way ({@code A (r, in)},
 * {@code B (out, r)}), and only merging and DoRA's norms see the stored orientation
 * ({@link #outIn(NDArray)}, HF's {@code transpose(weight, fan_in_fan_out)}).
 *
 * @param block the wrapped block ({@link Linear} or {@link dev.peft4j.core.model.Conv1D})
 * @param inFeatures its input width
 * @param outFeatures its output width
 * @param weight its weight, {@code (out, in)} or, with {@code fanInFanOut}, {@code (in, out)}
 * @param bias its bias {@code (out)}, or {@code null}
 * @param fanInFanOut whether the weight is stored {@code (in, out)}
 */
public record LoraBaseLayer(Block block, int inFeatures, int outFeatures, Parameter weight, Parameter bias, boolean fanInFanOut) {

    /** Checks the parts. */
    public LoraBaseLayer {
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(weight, "weight");
    }

    /**
     * @param block a block LoRA can wrap
     * @return its view, or {@code null} if LoRA cannot wrap it (neither {@link Linear} nor
     *     {@link dev.peft4j.core.model.Conv1D})
     */
    public static LoraBaseLayer of(Block block) {
        if (block instanceof Linear linear) {
            return new LoraBaseLayer(linear, linear.inFeatures(), linear.outFeatures(), linear.weight(), linear.bias(), false);
        }
        if (block instanceof dev.peft4j.core.model.Conv1D conv) {
            return new LoraBaseLayer(conv, conv.inFeatures(), conv.outFeatures(), conv.weight(), conv.bias(), true);
        }
        return null;
    }

    /** @return whether the wrapped layer adds a bias */
    public boolean hasBias() {
        return bias != null;
    }

    /**
     * The stored weight as {@code (out, in)}, HF's {@code transpose(weight, fan_in_fan_out)}.
     *
     * @param stored an array in the stored layout (the weight or a copy of it)
     * @param manager where a transposed view is attached (a forward pass's temporaries), so that it
     *     does not pile up in the model's manager
     * @return {@code stored} itself for {@code (out, in)} storage, else its transposed view
     */
    NDArray outIn(NDArray stored, NDManager manager) {
        if (!fanInFanOut) {
            return stored;
        }
        NDArray transposed = stored.transpose();
        transposed.attach(manager);
        return transposed;
    }

    /**
     * A change computed as {@code (out, in)} in the stored layout, HF's
     * {@code transpose(delta, fan_in_fan_out)} in {@code get_delta_weight}.
     *
     * @param change {@code (out, in)}; consumed when transposed
     * @return {@code change} itself for {@code (out, in)} storage, else its transpose (and
     *     {@code change} is closed)
     */
    NDArray stored(NDArray change) {
        if (!fanInFanOut) {
            return change;
        }
        NDArray transposed = change.transpose();
        change.close();
        return transposed;
    }
}
