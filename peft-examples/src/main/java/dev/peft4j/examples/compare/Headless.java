package dev.peft4j.examples.compare;

/**
 * Puts AWT in headless mode ({@code java.awt.headless=true}) before any AWT class loads, so charts
 * draw on machines without a display. AWT reads the property once, when
 * {@code java.awt.GraphicsEnvironment} initialises; a value the user set explicitly is kept.
 */
final class Headless {

    private Headless() {}

    /** Sets {@code java.awt.headless=true} unless the property is already set. */
    static void ensure() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }
}
