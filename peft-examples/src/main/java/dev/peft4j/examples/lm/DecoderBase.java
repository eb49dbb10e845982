package dev.peft4j.examples.lm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.examples.data.DocumentSplit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The example's base decoder: found in the {@link BaseModelCache} under its
 * {@link BaseModelKey}, or {@linkplain Pretraining pre-trained} on the Moby Dick split and cached.
 *
 * @param folder the cached HF model folder
 * @param report what pre-training produced
 */
public record DecoderBase(Path folder, PretrainReport report) {

    /**
     * @param runtime the installed methods
     * @param recipe the pre-training recipe
     * @param mobyDick the Moby Dick split
     * @param cache the cache
     * @param mapper the runtime's mapper (the key's canonical JSON)
     * @param log receives the build line and progress lines
     * @return the base, built first when missing or damaged
     * @throws IOException if the cache cannot be written
     */
    public static DecoderBase ensure(PeftRuntime runtime, PretrainRecipe recipe, DocumentSplit mobyDick, BaseModelCache cache, ObjectMapper mapper,
            Consumer<String> log) throws IOException {
        String key = BaseModelKey.of(recipe, mapper, mobyDick.train(), mobyDick.heldOut());
        PretrainReport report = cache.ensure(key, folder -> Pretraining.run(runtime, recipe, mobyDick, folder, progressLines(log)), log);
        return new DecoderBase(cache.folder(key), report);
    }

    /** @return a progress sink logging every 25th update and the last: {@code pretrain: update 100/1500, loss 2.3104, 412 ms/update} */
    private static Pretraining.Progress progressLines(Consumer<String> log) {
        long start = System.nanoTime();
        return (done, total, loss) -> {
            if (done % 25 == 0 || done == total) {
                double msPerUpdate = (System.nanoTime() - start) / 1e6 / done;
                log.accept(String.format(java.util.Locale.ROOT, "pretrain: update %d/%d, loss %.4f, %.0f ms/update", done, total,
                        loss, msPerUpdate));
            }
        };
    }
}
