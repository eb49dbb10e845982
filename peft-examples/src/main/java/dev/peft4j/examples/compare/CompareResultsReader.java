package dev.peft4j.examples.compare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a saved {@code results.json} of {@code peft compare} into {@link CompareResults}: JSON keys
 * in snake_case, as written; an unknown key is an error (the records are the schema), except
 * {@code ok}, which a plain Jackson mapper derives from {@link MethodResult#isOk()}; {@code NaN}
 * and {@code Infinity} are accepted as numbers and as strings (a training loss that diverged).
 */
public final class CompareResultsReader {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .addMixIn(MethodResult.class, WithoutDerivedOk.class)
            .build();

    /**
     * {@link MethodResult#isOk()} is derived from {@code status}: a plain mapper writes it as an
     * extra {@code ok} key. Never written here, and skipped when a results file holds it.
     */
    @JsonIgnoreProperties("ok")
    private interface WithoutDerivedOk {}

    private CompareResultsReader() {}

    /** @return the snake_case mapper {@code results.json} is read with (also fit to write it) */
    public static ObjectMapper mapper() {
        return MAPPER.copy();
    }

    /**
     * @param file a {@code results.json}
     * @return its content
     * @throws IOException {@code cannot read results file <file>: <reason>} when the file is
     *     missing or unreadable, is not valid JSON, does not match the schema (the message names the
     *     key, line and column), has no {@code methods} array, or is a {@code peft compare-lm} results file
     */
    public static CompareResults read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("cannot read results file " + file + ": "
                    + (Files.exists(file) ? "it is not a file" : "it does not exist"));
        }
        CompareResults results;
        try {
            results = MAPPER.readValue(file.toFile(), CompareResults.class);
        } catch (JsonProcessingException e) {
            if (isCompareLmResults(file)) {
                throw new IOException("cannot read results file " + file + ": it is a 'peft compare-lm' results file; 'peft report'"
                        + " re-renders 'peft compare' results only (compare-lm writes its report.html itself)", e);
            }
            throw new IOException("cannot read results file " + file + ": " + describe(e), e);
        }
        if (results == null) {
            throw new IOException("cannot read results file " + file + ": it holds JSON null, not a results object");
        }
        return results;
    }

    /** A {@code peft compare-lm} results file records its pre-trained base, with the base's file digests. */
    private static boolean isCompareLmResults(Path file) {
        try {
            return MAPPER.readTree(file.toFile()).path("base").has("files_sha256");
        } catch (IOException notJson) {
            return false;
        }
    }

    private static String describe(JsonProcessingException e) {
        if (e.getCause() instanceof NullPointerException && e.getMessage().contains("CompareResults")) {
            return "no 'methods' array";
        }
        String message = e.getOriginalMessage();
        int newline = message.indexOf('\n');
        message = newline < 0 ? message : message.substring(0, newline);
        // Jackson's nested locations read "[Source: REDACTED (...); line: 2, column: 13]".
        message = message.replaceAll("\\[Source: [^;]*; line: (\\d+), column: (\\d+)]", "line $1, column $2");
        JsonLocation location = e.getLocation();
        return location == null ? message
                : message + " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
