package dev.peft4j.examples.cli;

import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.spi.PeftMethodProvider;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code peft methods}: the installed PEFT methods, as discovered with {@code ServiceLoader}. */
@Command(name = "methods", description = "List the installed PEFT methods (peft_type and CLI alias).")
final class MethodsCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-16s %-12s %s%n", "peft_type", "alias", "description");
        for (PeftMethodProvider<?> provider : PeftRuntime.discover().installed()) {
            out.printf("%-16s %-12s %s%n", provider.peftType(), provider.alias(), provider.description());
        }
        out.flush();
        return 0;
    }
}
