package dev.peft4j.examples.cli;

import java.util.ArrayList;
import java.util.List;
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
        subcommands = {TrainCommand.class, CompareCommand.class, EvalCommand.class, PredictCommand.class, ServeDemoCommand.class,
                PlanCommand.class, CompareLmCommand.class, PretrainLmCommand.class, EmbedCommand.class, ReportCommand.class, MethodsCommand.class, CommandLine.HelpCommand.class})
public final class PeftCli {

    private PeftCli() {}

    /**
     * Builds the command line with peft4j's error handling: a user error, and an argument the
     * parser rejects, prints one line, {@code peft: <message>} (parser errors add {@code (see 'peft
     * <command> --help')}), and exits with status 1; no stack trace, no usage block. Every command
     * takes {@code --help}; {@code peft train --help} also lists the recipe and method options.
     *
     * @return the configured picocli command line
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new PeftCli());
        for (CommandLine sub : cli.getSubcommands().values()) {
            sub.getCommandSpec().mixinStandardHelpOptions(true);
        }
        CommandLine train = cli.getSubcommands().get("train");
        train.getHelpSectionMap().put(TrainHelp.SECTION, new TrainHelp());
        List<String> sections = new ArrayList<>(train.getHelpSectionKeys());
        sections.add(sections.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING), TrainHelp.SECTION);
        train.setHelpSectionKeys(sections);
        cli.setParameterExceptionHandler((error, args) -> {
            CommandLine failed = error.getCommandLine();
            failed.getErr().println("peft: " + error.getMessage() + " (see '" + failed.getCommandSpec().qualifiedName()
                    + " --help')");
            failed.getErr().flush();
            return 1;
        });
        return cli.setExecutionExceptionHandler((error, commandLine, parseResult) -> {
            String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
            if (error instanceof java.io.IOException io && !message.startsWith("cannot ")) {
                message = IoErrors.reason(io);
            }
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
