package dev.meridian.proxy.cli;

import dev.meridian.proxy.demo.Demo;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meridian demo}: three region backends and the proxy in front, on the bundled config. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start three demo backends (us-east, eu-west, ap-southeast) and Meridian in front of them.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
            description = "the proxy's port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0: any free port; "
                    + "a busy port falls back to any free one)")
    int port;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        int chosen = port;
        if (chosen != 0 && !isFree(chosen)) {
            out.println("Port " + chosen + " is busy; using any free port instead.");
            chosen = 0;
        }
        Demo demo = Demo.start(chosen);
        out.println(demo.instructions());
        out.flush();
        // The backends run on daemon threads: they end with the JVM once the proxy has drained.
        ServerLifecycle.awaitShutdown(demo.server(), Duration.ofSeconds(2), out);
        return 0;
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
