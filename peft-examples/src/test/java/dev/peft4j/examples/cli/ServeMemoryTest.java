package dev.peft4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The serve-demo memory lines: singular and plural counts. */
class ServeMemoryTest {

    private static String printed(int adapters) {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            new ServeMemory(OptionalLong.of(3L << 20), OptionalLong.of(2L << 20), adapters, 1000, 20).print(out);
        }
        return text.toString().replace(System.lineSeparator(), "\n");
    }

    @Test
    void oneAdapterIsSingular() {
        assertThat(printed(1)).isEqualTo("memory (resident, after GC): one base + 1 adapter 3.0 MiB; 1 separate copy 2.0 MiB"
                + " (one copy, base + 1 adapter, measured: 2.0 MiB); saved -1.0 MiB (-50%)\n"
                + "parameters: base 1,000 (0.0 MiB fp32); 1 adapter with their heads add 20 (0.00 MiB fp32)\n");
    }

    @Test
    void aShrinkingResidentSetIsReportedAsMeasuredNotAsUnreadable() {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            new ServeMemory(ServeMemory.growth(5L << 20, 4L << 20), ServeMemory.growth(4L << 20, 6L << 20), 2, 1000, 20).print(out);
        }
        assertThat(text.toString()).startsWith("memory (resident, after GC): one base + 2 adapters -1.0 MiB; 2 separate copies 4.0 MiB");
    }

    @Test
    void anUnreadableReadingIsSaid() {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            new ServeMemory(ServeMemory.growth(-1, 4L << 20), ServeMemory.growth(4L << 20, 6L << 20), 2, 1000, 20).print(out);
        }
        assertThat(text.toString()).startsWith("memory: resident set size not readable here (needs /proc/self/status)");
    }

    @Test
    void twoAdaptersArePlural() {
        assertThat(printed(2)).startsWith("memory (resident, after GC): one base + 2 adapters 3.0 MiB; 2 separate copies 4.0 MiB")
                .contains("; 2 adapters with their heads add 20");
    }
}
