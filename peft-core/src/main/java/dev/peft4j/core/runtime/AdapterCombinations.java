package dev.peft4j.core.runtime;

import ai.djl.ndarray.NDManager;
import dev.peft4j.core.spi.AdapterCombination;
import dev.peft4j.core.spi.AdapterCombiner;
import dev.peft4j.core.spi.CombinedAdapter;
import dev.peft4j.core.spi.PeftMethodProvider;
import dev.peft4j.core.spi.WeightedAdapter;
import java.util.List;

/**
 * Routes HF PEFT's {@code add_weighted_adapter} to the sources' method: the provider of the first
 * source's config combines them through its {@link PeftMethodProvider#adapterCombiner()} (LoRA's
 * checks that every source is LoRA). What {@code PeftModel.addWeightedAdapter} calls with its
 * adapters' configs and saved tensors, before it adds the result as a new adapter.
 */
public final class AdapterCombinations {

    private AdapterCombinations() {}

    /**
     * @param registry the installed methods
     * @param sources the adapters with weights, at least one
     * @param combination the new adapter's name, the combination type and its options
     * @param manager where the result's tensors are created
     * @return the new adapter's config and tensors
     * @throws IllegalArgumentException {@code add_weighted_adapter needs at least one adapter, got none};
     *     {@code add_weighted_adapter is not supported for PREFIX_TUNING adapters (adapter 'p'); methods that support
     *     it: [LORA]}; or the combiner's own errors (a source of another method, an unknown combination type, ...)
     */
    public static CombinedAdapter combine(MethodRegistry registry, List<WeightedAdapter> sources, AdapterCombination combination,
            NDManager manager) {
        if (sources == null || sources.isEmpty()) {
            throw new IllegalArgumentException("add_weighted_adapter needs at least one adapter, got none");
        }
        WeightedAdapter first = sources.getFirst();
        PeftMethodProvider<?> provider = registry.byConfigType(first.config().getClass());
        AdapterCombiner combiner = provider.adapterCombiner().orElseThrow(() -> new IllegalArgumentException(
                "add_weighted_adapter is not supported for " + provider.peftType() + " adapters (adapter '" + first.name()
                        + "'); methods that support it: " + registry.providers().stream()
                                .filter(p -> p.adapterCombiner().isPresent()).map(PeftMethodProvider::peftType).toList()));
        return combiner.combine(sources, combination, manager);
    }
}
