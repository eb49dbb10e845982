package dev.peft4j.examples.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.util.Locale;

/** One clean line for a JSON syntax error, without Jackson's source descriptions. */
public final class JsonSyntax {

    private JsonSyntax() {}

    /**
     * @param error what Jackson threw while parsing
     * @return the reason and where, e.g. {@code unexpected end of input at line 1, column 12}
     */
    public static String reason(JsonProcessingException error) {
        String reason;
        if (error instanceof JsonEOFException) {
            reason = "unexpected end of input";
        } else {
            String original = error.getOriginalMessage() == null ? error.getClass().getSimpleName() : error.getOriginalMessage();
            reason = original.lines().findFirst().orElse(original);
            int marker = reason.indexOf(" (start marker at");
            if (marker >= 0) {
                reason = reason.substring(0, marker);
            }
            int source = reason.indexOf(" at [Source:");
            if (source >= 0) {
                reason = reason.substring(0, source);
            }
            if (!reason.isEmpty()) {
                reason = reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
            }
        }
        JsonLocation location = error.getLocation();
        return location == null || location.getLineNr() < 1 ? reason
                : reason + " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
