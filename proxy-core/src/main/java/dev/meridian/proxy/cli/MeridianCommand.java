package dev.meridian.proxy.cli;

import picocli.CommandLine.Command;

/** Root command: a subcommand is required. */
@Command(name = "meridian",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Meridian: a global load balancer and L7 HTTP reverse proxy.",
        subcommands = {RunCommand.class, ValidateCommand.class, DemoCommand.class})
public final class MeridianCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a command is needed: run, validate or demo");
    }
}
