package dev.meridian.proxy.cli;

import dev.meridian.proxy.server.MeridianServer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** Blocks the main thread until SIGTERM/SIGINT, then drains the server within the grace period. */
final class ServerLifecycle {
    private ServerLifecycle() {
    }

    static void awaitShutdown(MeridianServer server, Duration grace, PrintWriter out) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("meridian: shutting down, draining " + server.activeExchanges()
                    + " in-flight request(s) for up to " + grace.toSeconds() + " s");
            out.flush();
            boolean clean = server.shutdownGracefully(grace);
            out.println(clean ? "meridian: stopped" : "meridian: stopped, grace period expired");
            out.flush();
            stopped.countDown();
        }, "meridian-shutdown"));
        stopped.await();
    }
}
