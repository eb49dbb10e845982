package dev.peft4j.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code peft} command line. Started by {@code peft-examples/bin/peft}, which sets up DJL to
 * run offline.
 */
@Command(
        name = "peft",
        mixinStandardHelpOptions = true,
        version = "peft4j 0.1.0-SNAPSHOT",
        description = "Parameter-efficient fine-tuning on the JVM.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, PlanCommand.class, EmbedCommand.class,
                MethodsCommand.class, CommandLine.HelpCommand.class})
public final class PeftCli {

    private PeftCli() {}

    /**
     * Builds the command line with peft4j's error handling: a user error prints one line,
     * {@code peft: <message>}, and exits with status 1 (2 for a usage error); no stack trace.
     *
     * @return the configured picocli command line
     */
    public static CommandLine commandLine() {
        return new CommandLine(new PeftCli()).setExecutionExceptionHandler((error, commandLine, parseResult) -> {
            String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
            commandLine.getErr().println("peft: " + message);
            return 1;
        });
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
