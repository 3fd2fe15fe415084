package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients too slow to send a head (slowloris) or a body get 408 and a close, connections that send nothing are
 * closed, and none of it touches a client that keeps pace or a keep-alive connection idle between requests.
 */
class SlowClientTest {
    private static final long HEAD_TIMEOUT_MILLIS = 300;

    private TestBackend backend;
    /** Answers as soon as a request head arrives, then reads until the proxy closes. */
    private ScriptedBackend early;
    /** Reads nothing for a while after the head: the proxy must stop reading the client meanwhile. */
    private ScriptedBackend stalled;
    private static final long STALL_MILLIS = 1500;
    private MeridianServer proxy;
    @TempDir
    Path logDir;
    private Path accessLog;
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void start() throws Exception {
        accessLog = logDir.resolve("access.log");
        backend = TestBackend.start("b");
        early = ScriptedBackend.start(s -> {
            InputStream in = s.getInputStream();
            ScriptedBackend.readHead(in);
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            ScriptedBackend.readUntilClosed(in);
        });
        stalled = ScriptedBackend.start(s -> {
            InputStream in = s.getInputStream();
            String head = ScriptedBackend.readHead(in);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS));
            int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
            in.readNBytes(length);
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                    .getBytes(StandardCharsets.US_ASCII));
            ScriptedBackend.readUntilClosed(in);
        });
        proxy = MeridianServer.start(TestConfigs.parse("""
                access_log: {path: "%s"}
                server:
                  request_header_timeout: %dms
                  keepalive_timeout: 1s
                  min_body_rate: 1KiB/s
                  min_body_rate_grace: 300ms
                  max_body_size: 1GiB
                clusters:
                  - name: app
                    endpoints:
                      - {id: b, address: "%s", region: local}
                  - name: early
                    endpoints:
                      - {id: e, address: "%s", region: local}
                routes:
                  - match: {path_prefix: /early}
                    cluster: early
                  - cluster: app
                """.formatted(accessLog, HEAD_TIMEOUT_MILLIS, backend.address(), early.address())), 1);
    }

    @AfterEach
    void stop() throws Exception {
        pacer.shutdownNow();
        proxy.close();
        backend.close();
        early.close();
        stalled.close();
    }

    /** Writes {@code bytes} one at a time, {@code everyMillis} apart, until done or the connection breaks. */
    private ScheduledFuture<?> trickle(OutputStream out, byte[] bytes, long everyMillis) {
        int[] next = {0};
        return pacer.scheduleAtFixedRate(() -> {
            try {
                if (next[0] < bytes.length) {
                    out.write(bytes[next[0]++]);
                    out.flush();
                    return;
                }
            } catch (IOException e) {
                // closed by the proxy
            }
            throw new IllegalStateException("done");  // ends the schedule
        }, 0, everyMillis, TimeUnit.MILLISECONDS);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aSlowlorisGets408AndACloseWhileAnotherClientIsServed() throws Exception {
        try (RawHttpClient slow = new RawHttpClient(proxy.address());
             RawHttpClient normal = new RawHttpClient(proxy.address())) {
            long start = System.nanoTime();
            trickle(rawOut(slow), ascii("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: " + "z".repeat(200) + "\r\n\r\n"), 20);
            for (int i = 0; i < 3; i++) {
                assertThat(normal.get("a", "/normal").status()).isEqualTo(200);
            }
            Response r = slow.read();
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.bodyText()).isEqualTo(
                    "meridian: 408 Request Timeout: request headers not complete within 300 ms\n");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(slow.isClosedByPeer()).isTrue();
            assertThat(tookMillis).isBetween(HEAD_TIMEOUT_MILLIS - 50, 5_000L);
            assertThat(normal.get("a", "/still").status()).isEqualTo(200);
        }
        assertThat(proxy.stats().requestHeaderTimeouts.sum()).isEqualTo(1);
        assertThat(backend.received()).extracting(TestBackend.Received::uri).doesNotContain("/");
        // In the access log too, as nginx logs its 408s: no method or target, since no head was ever complete.
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(accessLog)
                && Files.readString(accessLog).contains("\"status\":408"));
        assertThat(Files.readAllLines(accessLog)).filteredOn(l -> l.contains("\"status\":408")).singleElement()
                .satisfies(l -> assertThat(l).contains("\"method\":null").contains("request headers not complete"));
    }

    @Test
    void aHeadArrivingInPiecesWithinTheTimeoutIsServed() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            // 60 bytes, one per 2 ms: about 120 ms of the 300.
            trickle(rawOut(c), ascii("GET /pieces HTTP/1.1\r\nHost: a\r\nX-Pad: " + "p".repeat(20) + "\r\n\r\n"), 2);
            assertThat(c.read().status()).isEqualTo(200);
        }
        assertThat(proxy.stats().requestHeaderTimeouts.sum()).isZero();
    }

    @Test
    void theHeadOfALaterRequestIsTimedFromItsFirstByte() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            assertThat(c.get("a", "/first").status()).isEqualTo(200);
            // Idle for longer than the head timeout (shorter than keep-alive), then a request at once: served.
            pacer.schedule(() -> {
                c.send("GET /second HTTP/1.1\r\nHost: a\r\n\r\n");
                return null;
            }, 2 * HEAD_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).get();
            assertThat(c.read().status()).isEqualTo(200);
            // Then part of a head, and nothing more: 408.
            c.send("GET /third HTTP/1.1\r\nHo");
            assertThat(c.read().status()).isEqualTo(408);
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedWithoutAResponse() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            long start = System.nanoTime();
            assertThat(c.readRemainingUntilClose()).isEmpty();
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(HEAD_TIMEOUT_MILLIS - 50, 5_000L);
        }
        assertThat(proxy.stats().silentConnections.sum()).isEqualTo(1);
        assertThat(proxy.stats().requestHeaderTimeouts.sum()).isZero();
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedQuietlyAfterKeepAliveNotTheHeadTimeout() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            assertThat(c.get("a", "/x").status()).isEqualTo(200);
            long idleFrom = System.nanoTime();
            // Nothing at all: no 408 for a request that never began, and not before keepalive_timeout (1 s).
            assertThat(c.readRemainingUntilClose()).isEmpty();
            assertThat((System.nanoTime() - idleFrom) / 1_000_000).isBetween(900L, 6_000L);
        }
        assertThat(proxy.stats().requestHeaderTimeouts.sum()).isZero();
        assertThat(proxy.stats().silentConnections.sum()).isZero();
    }

    @Test
    void strayLineEndsAfterARequestDoNotStartTheHeadClock() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok");
            assertThat(c.read().status()).isEqualTo(200);
            c.send("\r\n");  // as some old clients send after a body
            assertThat(c.readRemainingUntilClose()).isEmpty();  // keep-alive's quiet close, not a 408
        }
        assertThat(proxy.stats().requestHeaderTimeouts.sum()).isZero();
    }

    @Test
    void aBodySlowerThanTheMinimumRateGets408AndTheTryIsAbandoned() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10000\r\n\r\n");
            long start = System.nanoTime();
            trickle(rawOut(c), ascii("s".repeat(200)), 20);  // 50 B/s against 1 KiB/s
            Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.bodyText()).startsWith("meridian: 408 Request Timeout: request body arriving at ")
                    .endsWith(" B/s, below the minimum of 1024 B/s\n");
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 5_000L);
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(proxy.stats().slowRequestBodies.sum()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.openConnections() == 0);
        assertThat(backend.received()).isEmpty();
    }

    @Test
    void aBodyThatKeepsPaceIsServed() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 3000\r\n\r\n");
            // 3000 bytes in 10 pieces, 60 ms apart: about 5 KB/s.
            byte[] piece = ascii("f".repeat(300));
            for (int i = 0; i < 10; i++) {
                pacer.schedule(() -> c.send(piece), 60, TimeUnit.MILLISECONDS).get();
            }
            assertThat(c.read().bodyText()).contains("bytes=3000");
        }
        assertThat(proxy.stats().slowRequestBodies.sum()).isZero();
    }

    @Test
    void aSlowBodyAfterTheResponseStartedClosesTheConnection() throws Exception {
        try (Socket s = new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(ascii("POST /early HTTP/1.1\r\nHost: a\r\nContent-Length: 10000\r\n\r\n"));
            assertThat(ScriptedBackend.readHead(s.getInputStream())).startsWith("HTTP/1.1 200 OK");
            trickle(s.getOutputStream(), ascii("s".repeat(200)), 20);
            String rest = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(rest).isEqualTo("5\r\nhello\r\n");
        }
        assertThat(proxy.stats().slowRequestBodies.sum()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> early.openConnections() == 0);
    }

    @Test
    void timeTheProxyIsNotReadingIsNotHeldAgainstTheClient() throws Exception {
        // 32 MiB at full speed into an upstream that reads nothing for 1.5 s: the proxy stops reading the client once
        // the upstream is full. Counted from the start, the rate at the end of the grace period (what fitted in the
        // socket buffers, well under 64 MiB, in a second) would be under the minimum; the clock stands still
        // while the proxy is not reading, so it is not.
        MeridianServer demanding = MeridianServer.start(TestConfigs.parse("""
                server:
                  min_body_rate: 64MiB/s
                  min_body_rate_grace: 1s
                clusters:
                  - name: stalled
                    endpoints:
                      - {id: s, address: "%s", region: local}
                routes:
                  - cluster: stalled
                """.formatted(stalled.address())), 1);
        int length = 32 << 20;
        try (demanding; RawHttpClient c = new RawHttpClient(demanding.address())) {
            c.send("POST /stalled HTTP/1.1\r\nHost: a\r\nContent-Length: " + length + "\r\n\r\n");
            byte[] block = new byte[64 * 1024];
            for (int sent = 0; sent < length; sent += block.length) {
                c.send(block);
            }
            Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("ok");
        }
        assertThat(demanding.stats().slowRequestBodies.sum()).isZero();
    }

    private static OutputStream rawOut(RawHttpClient c) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                c.send(new byte[] {(byte) b});
            }
        };
    }
}
