package dev.peft4j.core.testing;

import ai.djl.ndarray.types.DataType;
import dev.peft4j.core.model.Linear;
import dev.peft4j.core.spi.AdaptableModel;
import dev.peft4j.core.spi.PeftMethod;
import dev.peft4j.core.spi.InjectionContext;
import dev.peft4j.core.target.TargetResolver;

/** Applies a {@link ScaleConfig}: wraps every targeted {@link Linear} in a {@link ScaleLayer}. */
public final class ScaleMethod implements PeftMethod {

    private final ScaleConfig config;

    ScaleMethod(ScaleConfig config) {
        this.config = config;
    }

    @Override
    public ScaleConfig config() {
        return config;
    }

    @Override
    public void apply(InjectionContext context) {
        AdaptableModel model = context.model();
        for (String path : TargetResolver.resolve(model, config.selection(), context.origin())) {
            if (!(model.module(path) instanceof Linear linear)) {
                throw new IllegalArgumentException("target '" + path + "' is not a Linear layer");
            }
            ScaleLayer layer = new ScaleLayer(linear, model.adapterSwitch());
            layer.initialize(model.manager(), DataType.FLOAT32);
            model.replaceModule(path, layer);
        }
    }
}
