package dev.meridian.proxy.cli;

import dev.meridian.config.ConfigLoader;
import dev.meridian.config.ConfigProblem;
import dev.meridian.config.ConfigResult;
import dev.meridian.config.MeridianConfig;
import dev.meridian.proxy.server.MeridianServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code meridian run -c FILE}: serve until SIGTERM or SIGINT, then drain gracefully. The config reloads on SIGHUP,
 * on the admin call, and when the file changes (unless {@code --no-watch}).
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the proxy with a config file.")
public final class RunCommand implements Callable<Integer> {
    /** Long enough for an editor's save (truncate, write, rename) to settle, short enough to feel immediate. */
    private static final Duration WATCH_DEBOUNCE = Duration.ofMillis(200);

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the YAML config")
    Path configFile;

    @Option(names = "--io-threads", paramLabel = "N",
            description = "event loop threads (default: one per core)")
    Integer ioThreads;

    @Option(names = "--watch", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "reload by itself when the config file's content changes (default: on; --no-watch: off)."
                    + " SIGHUP and the admin port's /reload work either way.")
    boolean watch;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (ioThreads != null && ioThreads < 1) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '--io-threads': " + ioThreads + " (at least 1)");
        }
        PrintWriter err = spec.commandLine().getErr();
        ConfigResult result = ConfigLoader.load(configFile);
        if (!result.ok()) {
            List<ConfigProblem> problems = result.problems();
            if (problems.size() == 1) {
                // A missing or unreadable file is one problem, and the usual way to get a path wrong: one line.
                err.println("meridian: not started: " + problems.get(0).format());
            } else {
                for (ConfigProblem p : problems) {
                    err.println(p.format());
                }
                err.println("meridian: not started: " + problems.size() + " problem(s) in " + configFile);
            }
            err.flush();
            return StartupFailureHandler.EXIT_FAILURE;
        }
        MeridianConfig config = result.config();
        int threads = ioThreads != null ? ioThreads : Runtime.getRuntime().availableProcessors();
        MeridianServer server = MeridianServer.start(config, threads);
        PrintWriter out = spec.commandLine().getOut();
        for (InetSocketAddress a : server.boundAddresses()) {
            out.println("meridian " + VersionProvider.version() + ": listening on http://"
                    + a.getHostString() + ":" + a.getPort() + " (" + server.transport().name().toLowerCase()
                    + ", " + threads + " event loops, config " + configFile + ")");
        }
        InetSocketAddress adminAddress = server.admin().address();
        out.println("meridian: admin port on http://" + adminAddress.getHostString() + ":" + adminAddress.getPort()
                + (config.admin().tokens().isEmpty() ? " (read-only: no admin tokens configured)" : ""));
        HangupReload.install(server.admin());
        if (watch) {
            try {
                if (server.admin().watchConfigFile(WATCH_DEBOUNCE)) {
                    out.println("meridian: watching " + configFile + " for changes");
                }
            } catch (IOException e) {
                err.println("meridian: cannot watch " + configFile + " (" + e.getMessage()
                        + "); reload with SIGHUP or the admin port's /reload");
                err.flush();
            }
        }
        out.flush();
        ServerLifecycle.awaitShutdown(server, config.server().shutdownGrace(), out);
        return 0;
    }
}
