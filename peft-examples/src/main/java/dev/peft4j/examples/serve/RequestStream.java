package dev.peft4j.examples.serve;

import dev.peft4j.examples.data.LabeledText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A mixed stream of labelled requests: each request picks an adapter uniformly at random, then one of
 * that adapter's held-out texts uniformly at random (with replacement), from a fixed seed, so every
 * run serves the same stream.
 */
public final class RequestStream {

    private RequestStream() {}

    /**
     * @param heldOut each adapter's held-out texts, in adapter order
     * @param requests how many requests
     * @param seed the stream's seed
     * @return the requests in arrival order
     * @throws IllegalArgumentException if {@code requests <= 0} or an adapter has no held-out text
     */
    public static List<ServeRequest> draw(Map<String, List<LabeledText>> heldOut, int requests, long seed) {
        if (requests <= 0) {
            throw new IllegalArgumentException("--requests must be > 0, got " + requests);
        }
        List<String> adapters = new ArrayList<>(heldOut.keySet());
        heldOut.forEach((name, texts) -> {
            if (texts.isEmpty()) {
                throw new IllegalArgumentException("adapter '" + name + "' has no held-out texts to serve");
            }
        });
        SplittableRandom random = new SplittableRandom(seed);
        List<ServeRequest> stream = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
            String adapter = adapters.get(random.nextInt(adapters.size()));
            List<LabeledText> texts = heldOut.get(adapter);
            LabeledText text = texts.get(random.nextInt(texts.size()));
            stream.add(new ServeRequest(adapter, text.text(), text.label()));
        }
        return stream;
    }
}
