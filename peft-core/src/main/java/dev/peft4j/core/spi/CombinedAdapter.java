package dev.peft4j.core.spi;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The adapter an {@link AdapterCombiner} made: a plain adapter of the sources' method that saves
 * and loads like any other ({@code adapter_config.json} from {@link #config()},
 * {@code adapter_model.safetensors} from {@link #tensors()}).
 *
 * @param config the new adapter's config
 * @param tensors its tensors keyed as in {@code adapter_model.safetensors}
 *     ({@code base_model.model.<module path>.lora_A.weight}, ...), fp32, in the manager the
 *     combiner was given; the caller closes them
 */
public record CombinedAdapter(PeftConfig config, Map<String, NDArray> tensors) {

    /** Copies the tensor map, keeping its order. */
    public CombinedAdapter {
        Objects.requireNonNull(config, "config");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
    }
}
