package dev.peft4j.examples.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;

/** The child's side of {@link ChildJvm}: one marked JSON line on standard output. */
public final class ChildReport {

    /** The prefix of the report line. */
    public static final String MARKER = "PEFT_CHILD_REPORT ";

    private ChildReport() {}

    /**
     * @param report the object to send to the parent
     * @param out usually {@code System.out}
     * @throws IllegalStateException if the object cannot be written as JSON
     */
    public static void emit(ObjectNode report, PrintStream out) {
        try {
            out.println(MARKER + new ObjectMapper().writeValueAsString(report));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the child report", e);
        }
    }
}
