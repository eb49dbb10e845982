package dev.peft4j.examples.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.examples.bench.ChildReport;
import java.nio.file.Path;

/**
 * The {@code main} of one method's child JVM in {@code peft compare}: {@code MethodChild <spec.json>}
 * reads a {@link ChildSpec}, runs {@link MethodTraining}, prints a {@link ProgressLine} after every
 * update and ends with one {@link ChildReport} line holding the {@link MethodResult} (snake_case).
 * When the method fails (an exception, a NaN loss) the report is {@link MethodResult#failed} with
 * the reason, the stack trace goes to standard error, and the exit status is 1. Run it through
 * {@link dev.peft4j.examples.bench.ChildJvm}, never in a JVM that has trained before.
 */
public final class MethodChild {

    private MethodChild() {}

    /**
     * @param args the path of the child spec
     */
    public static void main(String[] args) {
        int status = 0;
        ObjectNode report;
        PeftRuntime runtime = PeftRuntime.discover();
        ObjectMapper mapper = runtime.objectMapper();
        ChildSpec spec = null;
        try {
            if (args.length != 1) {
                throw new IllegalArgumentException("usage: MethodChild <child-spec.json>");
            }
            spec = mapper.readValue(Path.of(args[0]).toFile(), ChildSpec.class);
            report = mapper.valueToTree(new MethodTraining(spec, runtime, System.out).run());
        } catch (Exception | Error e) {
            e.printStackTrace();
            String alias = spec == null ? "?" : spec.method().alias();
            String peftType = spec == null ? "?" : spec.method().peftType();
            report = mapper.valueToTree(MethodResult.failed(alias, peftType, reason(e)));
            status = 1;
        }
        ChildReport.emit(report, System.out);
        System.out.flush();
        System.exit(status);
    }

    /** @return the exception's first message line, with its type when it has no message */
    static String reason(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getName();
        }
        String first = message.lines().findFirst().orElse(message);
        return e instanceof RuntimeException && !(e instanceof IllegalArgumentException || e instanceof IllegalStateException)
                || e instanceof Error ? e.getClass().getSimpleName() + ": " + first : first;
    }
}
