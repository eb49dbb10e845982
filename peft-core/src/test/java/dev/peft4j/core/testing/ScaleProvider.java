package dev.peft4j.core.testing;

import dev.peft4j.core.spi.PeftMethod;
import dev.peft4j.core.spi.PeftMethodProvider;

/** Test-only provider of the {@code TEST_SCALE} method; handed to the runtime explicitly. */
public final class ScaleProvider implements PeftMethodProvider<ScaleConfig> {

    @Override
    public String peftType() {
        return "TEST_SCALE";
    }

    @Override
    public String alias() {
        return "test-scale";
    }

    @Override
    public Class<ScaleConfig> configType() {
        return ScaleConfig.class;
    }

    @Override
    public PeftMethod create(ScaleConfig config) {
        return new ScaleMethod(config);
    }
}
