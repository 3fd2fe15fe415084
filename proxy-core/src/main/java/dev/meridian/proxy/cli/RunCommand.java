package dev.meridian.proxy.cli;

import dev.meridian.config.ConfigLoader;
import dev.meridian.config.ConfigProblem;
import dev.meridian.config.ConfigResult;
import dev.meridian.config.MeridianConfig;
import dev.meridian.proxy.server.MeridianServer;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meridian run -c FILE}: serve until SIGTERM or SIGINT, then drain gracefully. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the proxy with a config file.")
public final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the YAML config")
    Path configFile;

    @Option(names = "--io-threads", paramLabel = "N",
            description = "event loop threads (default: one per core)")
    Integer ioThreads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        ConfigResult result = ConfigLoader.load(configFile);
        if (!result.ok()) {
            for (ConfigProblem p : result.problems()) {
                err.println(p.format());
            }
            err.println("meridian: not started: " + result.problems().size() + " problem(s) in " + configFile);
            err.flush();
            return 1;
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
        out.flush();
        ServerLifecycle.awaitShutdown(server, config.server().shutdownGrace(), out);
        return 0;
    }
}
