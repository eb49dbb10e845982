/**
 * {@code peft compare}: several PEFT methods trained and evaluated side by side on one recipe, each
 * in its own child JVM, reported as a markdown table, {@code results.json}, {@code report.html} with
 * charts and Prometheus metrics. The records here are the schema of {@code results.json}.
 */
package dev.peft4j.examples.compare;
