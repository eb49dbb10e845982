package dev.peft4j.examples.compare;

/**
 * Escapes text for HTML element content and double- or single-quoted attribute values: {@code &},
 * {@code <}, {@code >}, {@code "} and {@code '} become character references, as the OWASP rule for
 * untrusted data in HTML bodies and attributes asks. Every string that comes from a results file
 * (method names, failure messages, recipe and environment values) goes through here.
 */
public final class HtmlEscape {

    private HtmlEscape() {}

    /**
     * @param text any text; {@code null} gives the empty string
     * @return the text with the five characters above replaced by {@code &amp;}, {@code &lt;},
     *     {@code &gt;}, {@code &quot;} and {@code &#39;}
     */
    public static String text(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
