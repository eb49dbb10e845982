package dev.peft4j.examples.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A corpus divided into documents to train on and held-out documents to measure perplexity on.
 * The split is by whole document (a chapter, a quotation), so no held-out text is seen in training.
 *
 * @param train the training documents, in corpus order (unmodifiable)
 * @param heldOut the held-out documents, in corpus order (unmodifiable)
 */
public record DocumentSplit(List<TextDocument> train, List<TextDocument> heldOut) {

    /** Copies both lists. */
    public DocumentSplit {
        train = List.copyOf(train);
        heldOut = List.copyOf(heldOut);
    }

    /**
     * The deterministic split every {@code k}-th document out: the documents at 0-based positions
     * {@code k-1, 2k-1, ...} are held out, the others train. It needs no seed, spreads the held-out
     * documents evenly over the corpus (Moby Dick's chapters 10, 20, ..., 130 for {@code k = 10}),
     * and does not change when the corpus is read again.
     *
     * @param documents the corpus in its order
     * @param k every how many documents one is held out, &gt;= 2
     * @return the split
     * @throws IllegalArgumentException {@code held_out_every must be >= 2, got 1}, or when fewer than
     *     {@code k} documents leave nothing held out ({@code 3 documents are too few to hold out every 10th})
     */
    public static DocumentSplit everyKth(List<TextDocument> documents, int k) {
        if (k < 2) {
            throw new IllegalArgumentException("held_out_every must be >= 2, got " + k);
        }
        if (documents.size() < k) {
            throw new IllegalArgumentException(documents.size() + " documents are too few to hold out every " + ordinal(k));
        }
        List<TextDocument> train = new ArrayList<>();
        List<TextDocument> heldOut = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            (i % k == k - 1 ? heldOut : train).add(documents.get(i));
        }
        return new DocumentSplit(train, heldOut);
    }

    private static String ordinal(int k) {
        int lastTwo = k % 100;
        String suffix = lastTwo >= 11 && lastTwo <= 13 ? "th" : switch (k % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return k + suffix;
    }

    /** @return the training documents' UTF-8 bytes, summed */
    public long trainBytes() {
        return bytes(train);
    }

    /** @return the held-out documents' UTF-8 bytes, summed */
    public long heldOutBytes() {
        return bytes(heldOut);
    }

    private static long bytes(List<TextDocument> documents) {
        return documents.stream().mapToLong(d -> d.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).sum();
    }
}
