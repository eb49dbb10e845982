/**
 * Bottleneck adapters, plugged in through {@link dev.peft4j.core.spi.PeftMethodProvider}: Houlsby
 * et al. 2019 (two adapters per layer), Pfeiffer et al. 2020 (one after the feed-forward block) and
 * He et al. 2021 (one beside the feed-forward block), arranged as AdapterHub's
 * {@code double_seq_bn}, {@code seq_bn} and {@code par_bn} presets.
 * {@link dev.peft4j.adapter.BottleneckConfig} (keys and {@link dev.peft4j.adapter.BottleneckPlacement}),
 * {@link dev.peft4j.adapter.BottleneckAdapter} (the bottleneck),
 * {@link dev.peft4j.adapter.BottleneckLayer} (the wrapper of a residual output block),
 * {@link dev.peft4j.adapter.BottleneckMethod} (injection) and
 * {@link dev.peft4j.adapter.BottleneckProvider} ({@code BOTTLENECK} / {@code bottleneck}).
 */
package dev.peft4j.adapter;
