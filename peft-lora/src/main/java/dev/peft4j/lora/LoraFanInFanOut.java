package dev.peft4j.lora;

import ai.djl.nn.Block;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HF PEFT's handling of {@code fan_in_fan_out} ({@code LoraModel._create_new_module}): the flag
 * describes how the targeted weights are stored, so the targets decide it. A GPT-2 {@code Conv1D}
 * (weight {@code (in, out)}) targeted with {@code fan_in_fan_out: false} gets a warning and the
 * flag set true; an {@code nn.Linear} (weight {@code (out, in)}) targeted with {@code true} gets a
 * warning and the flag set false. HF writes the corrected flag back into the config, so the saved
 * {@code adapter_config.json} of a GPT-2 adapter says {@code "fan_in_fan_out": true}; with targets of
 * both kinds the last target's kind wins, as HF's sequential updates leave it.
 */
final class LoraFanInFanOut {

    private static final Logger LOG = LoggerFactory.getLogger(LoraFanInFanOut.class);

    private LoraFanInFanOut() {}

    /**
     * @param config the adapter's config
     * @param targets the targets by path, in injection order; {@link LoraLayer}s count as the layer they wrap
     * @return {@code config}, or a copy with {@code fan_in_fan_out} set as the targets store their weights
     */
    static LoraConfig resolve(LoraConfig config, Map<String, Block> targets) {
        boolean flag = config.fanInFanOut();
        for (Map.Entry<String, Block> target : targets.entrySet()) {
            Block block = target.getValue() instanceof LoraLayer layer ? layer.base() : target.getValue();
            boolean stored = LoraBaseLayer.of(block).fanInFanOut();
            if (stored != flag) {
                LOG.warn("lora.fan_in_fan_out is {}, but target '{}' is a {} storing its weight {}; setting fan_in_fan_out to {}"
                        + " (as HF PEFT does)", flag, target.getKey(), block.getClass().getSimpleName(),
                        stored ? "(in, out)" : "(out, in)", stored);
                flag = stored;
            }
        }
        return flag == config.fanInFanOut() ? config : config.toBuilder().fanInFanOut(flag).build();
    }
}
