package dev.peft4j.core.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.peft4j.core.io.AdapterCheckpoint;
import dev.peft4j.core.io.AtomicDirectory;
import dev.peft4j.core.io.CheckpointPaths;
import dev.peft4j.core.io.HostTensor;
import dev.peft4j.core.spi.AdapterCombination;
import dev.peft4j.core.spi.CombinedAdapter;
import dev.peft4j.core.spi.WeightedAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link PeftModel#addWeightedAdapter}: reads the source adapters of one model in their saved form
 * (HF keys, fp32), lets the method's {@link dev.peft4j.core.spi.AdapterCombiner} combine them
 * ({@link AdapterCombinations}), and loads the result into the same model as a new adapter through
 * the checkpoint loader, so it is checked, saved and loaded like any other adapter.
 */
final class WeightedAdapterBuilder {

    private WeightedAdapterBuilder() {}

    /**
     * @param peft the model holding the sources; receives the new adapter (inactive, trainable once active)
     * @param runtime the runtime the model was created with
     * @param adapters the source adapters' names
     * @param weights one weight per source
     * @param combination the new adapter's name and HF's {@code combination_type} / {@code svd_rank} / {@code svd_clamp}
     * @throws IllegalArgumentException bad lists, an existing or forbidden name, an unknown source, or the method's refusal
     * @throws IOException if the combined adapter cannot be staged in a temporary folder
     */
    static void add(PeftModel peft, PeftRuntime runtime, List<String> adapters, List<Double> weights,
            AdapterCombination combination) throws IOException {
        WeightedAdapter.checkArguments(adapters, weights);
        String name = CheckpointPaths.requireAdapterName(combination.adapterName());
        if (peft.adapterNames().contains(name)) {
            throw new IllegalArgumentException("adapter '" + name + "' already exists; adapters: " + peft.adapterNames());
        }
        for (String source : adapters) {
            if (!peft.adapterNames().contains(source)) {
                throw new IllegalArgumentException("unknown adapter '" + source + "'; adapters: " + peft.adapterNames());
            }
        }
        Path staging = Files.createTempDirectory("peft4j-weighted-");
        try (NDManager scope = peft.baseModel().manager().newSubManager()) {
            List<WeightedAdapter> sources = new ArrayList<>();
            for (int i = 0; i < adapters.size(); i++) {
                String source = adapters.get(i);
                Map<String, NDArray> tensors = new LinkedHashMap<>();
                peft.adapterWeights(source, false).forEach((key, tensor) ->
                        tensors.put(key, scope.create(tensor.values(), new Shape(tensor.shape()))));
                sources.add(new WeightedAdapter(source, peft.config(source), tensors, weights.get(i)));
            }
            CombinedAdapter combined = AdapterCombinations.combine(runtime.registry(), sources, combination, scope);
            Map<String, HostTensor> host = new LinkedHashMap<>();
            combined.tensors().forEach((key, array) -> host.put(key, new HostTensor(array.getShape().getShape(), array.toFloatArray())));
            Path folder = staging.resolve(name);
            AdapterCheckpoint.write(folder, runtime.writeConfig(combined.config()), host, Map.of("format", "pt"));
            peft.loadAdapter(folder, name, true);
        } finally {
            AtomicDirectory.deleteTree(staging);
        }
    }
}
