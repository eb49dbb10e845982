/**
 * Bottleneck adapters: Houlsby et al. 2019 ("double"), Pfeiffer et al. 2020 ("sequential") and
 * He et al. 2021 ("parallel"), plugged in through {@link dev.peft4j.core.spi.PeftMethodProvider}.
 * Implementation arrives with the methods issue.
 */
package dev.peft4j.adapter;
