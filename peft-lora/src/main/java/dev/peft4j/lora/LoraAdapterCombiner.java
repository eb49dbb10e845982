package dev.peft4j.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.spi.AdapterCombination;
import dev.peft4j.core.spi.AdapterCombiner;
import dev.peft4j.core.spi.CombinedAdapter;
import dev.peft4j.core.spi.WeightedAdapter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA's {@link AdapterCombiner} ({@link LoraProvider#adapterCombiner()}): hands the sources to
 * {@link LoraWeightedCombination} and returns its result as DJL arrays.
 */
final class LoraAdapterCombiner implements AdapterCombiner {

    /**
     * @throws IllegalArgumentException {@code add_weighted_adapter combines LoRA adapters only, but adapter 'p' is
     *     a PrefixTuningConfig}, or as {@link LoraWeightedCombination#combine}
     */
    @Override
    public CombinedAdapter combine(List<WeightedAdapter> sources, AdapterCombination combination, NDManager manager) {
        List<LoraWeightedSource> lora = new ArrayList<>();
        for (WeightedAdapter source : sources) {
            if (!(source.config() instanceof LoraConfig config)) {
                throw new IllegalArgumentException("add_weighted_adapter combines LoRA adapters only, but adapter '"
                        + source.name() + "' is a " + source.config().getClass().getSimpleName());
            }
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            source.tensors().forEach((key, array) -> tensors.put(key, new HostTensor(array.getShape().getShape(), array.toFloatArray())));
            lora.add(new LoraWeightedSource(source.name(), config, tensors, source.weight()));
        }
        LoraCombinedAdapter combined = LoraWeightedCombination.combine(lora, combination.combinationType(),
                combination.svdRank(), combination.svdClamp());
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        combined.tensors().forEach((key, tensor) -> arrays.put(key, manager.create(tensor.values(), new Shape(tensor.shape()))));
        return new CombinedAdapter(combined.config(), arrays);
    }
}
