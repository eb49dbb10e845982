package dev.peft4j.examples.lm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.examples.bench.ChildReport;
import java.nio.file.Path;

/**
 * The {@code main} of one method's child JVM in {@code peft compare-lm}: reads an
 * {@link LmChildSpec}, runs {@link LmMethodTraining}, prints a progress line after every update and
 * ends with one {@link ChildReport} line holding the {@link LmMethodResult}; a failure is reported
 * as {@link LmMethodResult#failed} with its reason (stack trace on standard error, exit status 1).
 */
public final class LmMethodChild {

    private LmMethodChild() {}

    /**
     * @param args the path of the child spec
     */
    public static void main(String[] args) {
        int status = 0;
        ObjectNode report;
        PeftRuntime runtime = PeftRuntime.discover();
        ObjectMapper mapper = runtime.objectMapper();
        LmChildSpec spec = null;
        try {
            if (args.length != 1) {
                throw new IllegalArgumentException("usage: LmMethodChild <child-spec.json>");
            }
            spec = mapper.readValue(Path.of(args[0]).toFile(), LmChildSpec.class);
            report = mapper.valueToTree(new LmMethodTraining(spec, runtime, System.out).run());
        } catch (Exception | Error e) {
            e.printStackTrace();
            String alias = spec == null ? "?" : spec.method().alias();
            String peftType = spec == null ? "?" : spec.method().peftType();
            report = mapper.valueToTree(LmMethodResult.failed(alias, peftType, reason(e)));
            status = 1;
        }
        ChildReport.emit(report, System.out);
        System.out.flush();
        System.exit(status);
    }

    private static String reason(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getName();
        }
        String first = message.lines().findFirst().orElse(message);
        return e instanceof IllegalArgumentException || e instanceof IllegalStateException ? first
                : e.getClass().getSimpleName() + ": " + first;
    }
}
