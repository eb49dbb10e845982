package dev.peft4j.core.runtime;

import com.google.inject.Module;

/**
 * Implemented by a {@link dev.peft4j.core.spi.PeftMethodProvider} (or a
 * {@link dev.peft4j.core.spi.KernelProvider}) that adds Guice bindings; the runtime installs the
 * module it returns. Lives outside {@code core.spi} so that the SPI never imports Guice.
 */
public interface GuiceContributor {

    /** @return the bindings to install into the runtime's injector */
    Module guiceModule();
}
