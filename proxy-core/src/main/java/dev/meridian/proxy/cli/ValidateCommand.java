package dev.meridian.proxy.cli;

import dev.meridian.config.ConfigLoader;
import dev.meridian.config.ConfigProblem;
import dev.meridian.config.ConfigResult;
import dev.meridian.config.MeridianConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meridian validate FILE}: every problem, one per line, exit 1; or a summary and exit 0. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a config file and print every problem in it (exit 1), or a summary (exit 0).")
public final class ValidateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the YAML config to check")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ConfigResult result = ConfigLoader.load(file);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!result.ok()) {
            for (ConfigProblem p : result.problems()) {
                err.println(p.format());
            }
            err.println(result.problems().size() + " problem(s) found in " + file);
            err.flush();
            return 1;
        }
        out.println(file + ": valid (" + summary(result.config()) + ")");
        out.flush();
        return 0;
    }

    static String summary(MeridianConfig c) {
        int endpoints = c.clusters().stream().mapToInt(cl -> cl.endpoints().size()).sum();
        return c.listeners().size() + " listener(s), " + c.regions().size() + " region(s), "
                + c.clusters().size() + " cluster(s), " + endpoints + " endpoint(s), "
                + c.routes().size() + " route(s)";
    }
}
