package dev.meridian.proxy.cli;

import dev.meridian.proxy.demo.Demo;
import dev.meridian.proxy.server.BindFailure;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code meridian demo}: three region backends and the proxy in front, on the bundled config. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start three demo backends (us-east, eu-west, ap-southeast) and Meridian in front of them.")
public final class DemoCommand implements Callable<Integer> {
    static final String ADMIN_PORT_FLAG = "--admin-port";

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
            description = "the proxy's port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0: any free port; "
                    + "a busy port falls back to any free one)")
    int port;

    @Option(names = ADMIN_PORT_FLAG, defaultValue = "9901", paramLabel = "PORT",
            description = "the admin port and dashboard on 127.0.0.1 (default ${DEFAULT-VALUE}, or any free port "
                    + "when that is busy; 0: any free port; a port given here must be free)")
    int adminPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        checkPort("--port", port);
        checkPort(ADMIN_PORT_FLAG, adminPort);
        PrintWriter out = spec.commandLine().getOut();
        boolean adminExplicit = spec.commandLine().getParseResult().hasMatchedOption(ADMIN_PORT_FLAG);
        Demo demo = start(port, adminPort, adminExplicit, out);
        out.println(demo.instructions());
        out.flush();
        // The backends run on daemon threads: they end with the JVM once the proxy has drained.
        ServerLifecycle.awaitShutdown(demo.server(), Duration.ofSeconds(2), out);
        return 0;
    }

    /**
     * Starts the demo, moving a busy proxy port, and a busy admin port the user did not ask for, to free ones: the
     * defaults are whatever 8080 and 9901 happen to be on this machine, so their being taken is no reason to fail.
     *
     * @param adminExplicit whether {@code adminPort} came from the command line rather than the default
     * @throws BindFailure naming the flag that moves the port that could not be bound
     */
    static Demo start(int proxyPort, int adminPort, boolean adminExplicit, PrintWriter out)
            throws InterruptedException {
        int proxy = proxyPort;
        if (proxy != 0 && !isFree(proxy)) {
            out.println("Port " + proxy + " is busy; using any free port for the proxy instead.");
            proxy = 0;
        }
        int admin = adminPort;
        if (admin != 0 && !adminExplicit && !isFree(admin)) {
            out.println("Port " + admin + " is busy; using any free port for the admin port instead.");
            admin = 0;
        }
        out.flush();
        try {
            return Demo.start(proxy, admin);
        } catch (BindFailure e) {
            // The proxy binds first, so a failure on the admin port's number is the admin port's even when both
            // were given the same one.
            throw e.withSetting(admin != 0 && e.port() == admin ? ADMIN_PORT_FLAG : "--port");
        }
    }

    private void checkPort(String flag, int value) {
        if (value < 0 || value > 65_535) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '" + flag + "': " + value + " is not a port (0 to 65535)");
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
