package dev.peft4j.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peft4j.core.full.FullFineTuningProvider;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ServiceLoader discovery sees exactly what peft-core's main resources declare. */
class DiscoveryTest {

    private static final String SERVICES = "META-INF/services/" + PeftMethodProvider.class.getName();

    @Test
    void fullIsFoundByServiceLoader() {
        MethodRegistry registry = MethodRegistry.discover();
        assertThat(registry.describeInstalled()).isEqualTo("[FULL (full)]");
        assertThat(registry.byAlias("full")).isInstanceOf(FullFineTuningProvider.class);
    }

    @Test
    void runtimeDiscoversFull() {
        PeftRuntime runtime = PeftRuntime.discover();
        assertThat(runtime.installed()).singleElement().isInstanceOf(FullFineTuningProvider.class);
        assertThat(runtime.provider("FULL").description()).isEqualTo("full fine-tuning: every parameter trainable (baseline)");
    }

    @Test
    void onlyMainResourcesDeclareProviders() throws IOException {
        List<URL> files = Collections.list(getClass().getClassLoader().getResources(SERVICES));
        assertThat(files).singleElement().asString().doesNotContain("test-classes").contains("peft-core");
    }
}
