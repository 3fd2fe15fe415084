package dev.meridian.proxy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Root command: a subcommand is required. */
@Command(name = "meridian",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Meridian: a global load balancer and L7 HTTP reverse proxy.",
        subcommands = {RunCommand.class, ValidateCommand.class, DemoCommand.class})
public final class MeridianCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * The command line as {@code main} runs it, failures reported in one line: tests build theirs here too, so
     * that they see what a person sees.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new MeridianCommand())
                .setExecutionExceptionHandler(new StartupFailureHandler());
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a command is needed: run, validate or demo");
    }
}
