package dev.peft4j.examples.serve;

/**
 * One labelled request of the serve-demo stream.
 *
 * @param adapter the adapter (task) that must answer it
 * @param text the text to classify
 * @param label the true class index (from the held-out split)
 */
public record ServeRequest(String adapter, String text, int label) {}
