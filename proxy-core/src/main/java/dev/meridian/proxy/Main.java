package dev.meridian.proxy;

import dev.meridian.proxy.cli.MeridianCommand;
import picocli.CommandLine;

/** The {@code meridian} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new MeridianCommand()).execute(args));
    }
}
