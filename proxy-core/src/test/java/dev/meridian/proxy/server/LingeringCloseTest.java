package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestBackend.Fault;
import dev.meridian.testing.TestConfigs;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A response sent before the request was read to its end, on a connection that then closes, must reach a client
 * that is still sending its body (as most clients do: write everything, then read). Closing at once would leave
 * unread bytes in the socket, and the kernel's reset would wipe the response before the client reads it.
 */
class LingeringCloseTest {
    /** Far beyond what socket buffers hold, so the client is still writing when the answer comes. */
    private static final int BODY = 4 * 1024 * 1024;

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
    void anUploadCutShortByAnUpstreamResetStillGetsItsAnswer() throws Exception {
        backend = TestBackend.start("a").fault(Fault.RESET);
        proxy = MeridianServer.start(TestConfigs.oneCluster(backend), 1);
        // Before the fix about half of these saw "connection reset by peer" instead of the 502.
        for (int i = 0; i < 10; i++) {
            try (RawHttpClient c = new RawHttpClient(proxy.address())) {
                c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + BODY + "\r\n\r\n");
                c.send(new byte[BODY]);
                // Usually the body is still coming when the reset is seen: then the answer closes the connection.
                // (When the proxy had the whole body already, the connection may even stay.)
                Response r = c.read();
                assertThat(r.status()).as("try " + i).isEqualTo(502);
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.downstreamConnections() == 0);
    }

    @Test
    void aClientTooSlowForTheMinimumBodyRateIsNotLingeredOn() throws Exception {
        backend = TestBackend.start("a");
        proxy = MeridianServer.start(TestConfigs.parse("""
                server:
                  min_body_rate: 1KiB/s
                  min_body_rate_grace: 200ms
                clusters:
                  - name: app
                    endpoints:
                      - {id: a, address: "%s", region: local}
                routes:
                  - cluster: app
                """.formatted(backend.address())), 1);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + "s".repeat(10));
            assertThat(c.read().status()).isEqualTo(408);
            // The client keeps its end open and says nothing: lingering would hold the connection for seconds.
            await().atMost(Duration.ofMillis(LingeringClose.LINGER.toMillis() / 2))
                    .until(() -> proxy.downstreamConnections() == 0);
        }
    }

    @Test
    void aClientThatNeverReadsItsLastResponseIsClosedWithinAKeepAlivePeriod() throws Exception {
        backend = TestBackend.start("a");
        proxy = MeridianServer.start(TestConfigs.parse("""
                server:
                  keepalive_timeout: 300ms
                clusters:
                  - name: app
                    endpoints:
                      - {id: a, address: "%s", region: local}
                routes:
                  - cluster: app
                    timeouts: {idle: 300ms}
                """.formatted(backend.address())), 1);
        // Depending on where the unread bytes pile up, the exchange either stalls mid-body (the route's idle
        // timeout ends it) or ends with its last write pending on a closing connection, which nothing else watches.
        for (int size = 64 * 1024; size <= 4 * 1024 * 1024; size *= 2) {
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(4096);
                s.connect(proxy.address());
                s.getOutputStream().write(("GET /download/" + size + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                await("a " + size + "-byte response never read").atMost(Duration.ofSeconds(5))
                        .until(() -> proxy.downstreamConnections() == 0);
            }
        }
    }
}
