package dev.peft4j.core.full;

import dev.peft4j.core.spi.MemoryFootprint;
import dev.peft4j.core.spi.MemoryModel;
import dev.peft4j.core.spi.ModelShape;
import dev.peft4j.core.spi.TrainingWorkload;
import java.util.Collections;
import java.util.List;

/**
 * Full fine-tuning's memory: every base parameter is trained in place and saved; no blocks are
 * added, so no activations beyond the base model's.
 */
public final class FullFineTuningMemoryModel implements MemoryModel<FullFineTuningConfig> {

    @Override
    public MemoryFootprint footprint(FullFineTuningConfig config, ModelShape shape, TrainingWorkload workload) {
        List<String> all = shape.parameters().stream().map(ModelShape.Tensor::name).toList();
        return new MemoryFootprint(0, 0, all, Collections.nCopies(shape.numLayers(), 0L), 0, 0, 0);
    }
}
