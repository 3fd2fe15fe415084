package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meridian.routing.Cluster;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A proxy out of file descriptors cannot open an upstream socket: the request gets a 503, nothing counted for that
 * connection stays counted (else every such failure would hold one of the cluster's {@code max_connections} for
 * good, and the cluster would refuse everything once the descriptors are back), and the endpoint is not blamed for
 * the proxy's own shortage.
 *
 * <p>The JVM's own descriptor limit is lowered with {@code prlimit} for the few milliseconds of one request, the
 * free numbers below it filled with {@code /dev/null}, so the proxy's {@code socket()} fails with EMFILE as it would
 * on a busy host. Linux only; skipped where {@code prlimit} is missing.
 */
class OutOfDescriptorsTest {
    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private TestBackend backend;
    private MeridianServer proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void aConnectWithNoDescriptorLeftIs503AndGivesItsConnectionSlotBack() throws Exception {
        assumeTrue(Files.isExecutable(PRLIMIT) && Files.isDirectory(Path.of("/proc/self/fd")), "needs prlimit");
        backend = TestBackend.start("live");
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    endpoints:
                      - {id: live, address: "%s", region: local}
                  - name: refused
                    endpoints:
                      - {id: refused, address: "127.0.0.1:%d", region: local}
                routes:
                  - match: {path_prefix: /refused}
                    cluster: refused
                    retries: {max: 0}
                  - cluster: app
                    retries: {max: 0}
                """.formatted(backend.address(), deadPort)), 1);
        Cluster app = proxy.routing().current().cluster("app");
        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            // The same failure path once with descriptors to spare, so no class is still to load (from a file)
            // while none are left.
            assertThat(client.get("x", "/refused").status()).isEqualTo(502);
            // Its socket closes on the loop after the answer: a number freed later would go to the next socket.
            Cluster refused = proxy.routing().current().cluster("refused");
            await().atMost(Duration.ofSeconds(5)).until(() -> refused.breaker().connectionsOpen() == 0);

            Response starved = null;
            try (Exhaustion ignored = Exhaustion.start()) {
                client.setReadTimeout(3_000);
                try {
                    starved = client.get("x", "/starved");
                } catch (SocketTimeoutException raced) {
                    // Some other part of the JVM freed a descriptor in between (a collected stream, say): the
                    // proxy got its socket, and the backend has none to accept with. Not what this test is about.
                }
            }
            if (starved == null) {
                Assumptions.abort("a descriptor came free during the experiment; the proxy was not starved");
            }
            assertThat(starved.status()).as(starved.bodyText()).isEqualTo(503);
            assertThat(starved.bodyText()).contains("no socket to connect to endpoint 'live'");
            assertThat(app.breaker().connectionsOpen()).as("connection slots held").isZero();
            // The proxy's own shortage is not the endpoint's failure: outlier detection must not hear of it.
            assertThat(proxy.meters().connectFailures("live")).isZero();
            assertThat(proxy.meters().connectFailures("refused")).isEqualTo(1);

            Response after = client.get("x", "/after");
            assertThat(after.status()).as(after.bodyText()).isEqualTo(200);
        }
    }

    /** Every descriptor number below a lowered limit taken; closing gives them back and restores the limit. */
    private static final class Exhaustion implements Closeable {
        private final List<RandomAccessFile> fillers = new ArrayList<>();
        private final String original;

        private Exhaustion(String original) {
            this.original = original;
        }

        static Exhaustion start() throws IOException, InterruptedException {
            String original = prlimit("--nofile", "--raw", "--noheadings", "--output=SOFT,HARD").strip()
                    .replaceAll("\\s+", ":");
            int limit = highestOpenDescriptor() + 32;
            Exhaustion e = new Exhaustion(original);
            prlimit("--nofile=" + limit + ":" + original.split(":")[1]);
            // Descriptors the JVM frees a moment later (the helper process's, for one) are taken too: the filling
            // ends only after a quiet spell with none freed.
            long quietSince = System.nanoTime();
            long giveUp = quietSince + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() - quietSince < QUIET_NANOS && System.nanoTime() - giveUp < 0) {
                if (e.fill()) {
                    quietSince = System.nanoTime();
                } else {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            return e;
        }

        /** Takes every free descriptor number; whether there was any. */
        private boolean fill() {
            boolean took = false;
            try {
                while (true) {
                    fillers.add(new RandomAccessFile("/dev/null", "r"));
                    took = true;
                }
            } catch (IOException full) {
                return took;
            }
        }

        @Override
        public void close() throws IOException {
            for (RandomAccessFile f : fillers) {
                f.close();
            }
            try {
                prlimit("--nofile=" + original);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        private static int highestOpenDescriptor() throws IOException {
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                return fds.mapToInt(p -> Integer.parseInt(p.getFileName().toString())).max().orElse(0);
            }
        }

        private static String prlimit(String... args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(PRLIMIT.toString(), "--pid",
                    Long.toString(ProcessHandle.current().pid())));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out;
            // Closed here, not by the process reaper later: a descriptor freed after the filling would be taken.
            try (var stdout = p.getInputStream(); var stdin = p.getOutputStream()) {
                out = new String(stdout.readAllBytes());
            }
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("prlimit failed: " + command + ": " + out);
            }
            return out;
        }
    }
}
