package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every failure ends in a clear status with a one-line reason, or a closed connection, and is counted. */
class FailureMappingTest {
    private TestBackend backend;
    private MeridianServer proxy;
    private int deadPort;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start("live");
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            deadPort = s.getLocalPort();  // closed at once: connecting there is refused
        }
        proxy = MeridianServer.start(TestConfigs.parse("""
                server:
                  max_request_line: 1KiB
                  max_header_size: 4KiB
                clusters:
                  - name: live
                    endpoints:
                      - id: live-1
                        address: %s
                        region: local
                  - name: dead
                    endpoints:
                      - id: dead-1
                        address: 127.0.0.1:%d
                        region: local
                  - name: drained
                    endpoints:
                      - id: drained-1
                        address: %s
                        region: local
                        weight: 0
                routes:
                  - match:
                      host: api.example
                      path_prefix: /dead
                    cluster: dead
                  - match:
                      host: api.example
                      path_prefix: /drained
                    cluster: drained
                  - match:
                      host: api.example
                    cluster: live
                    timeouts:
                      response_header: 300ms
                      idle: 300ms
                """.formatted(backend.address(), deadPort, backend.address())), 1);
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    private RawHttpClient client() throws Exception {
        return new RawHttpClient(proxy.address());
    }

    @Test
    void noRouteIs404WithReasonAndTheConnectionStaysUsable() throws Exception {
        try (RawHttpClient c = client()) {
            Response r = c.get("other.example", "/x?secret=1");
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.bodyText()).isEqualTo(
                    "meridian: 404 Not Found: no route for host 'other.example' and path '/x'\n");
            assertThat(c.get("api.example", "/ok").status()).isEqualTo(200);
        }
        assertThat(proxy.stats().noRoute.sum()).isEqualTo(1);
    }

    @Test
    void noEligibleEndpointIs503() throws Exception {
        try (RawHttpClient c = client()) {
            Response r = c.get("api.example", "/drained/x");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).contains("no endpoint of cluster 'drained' can take traffic");
        }
        assertThat(proxy.stats().noEndpoint.sum()).isEqualTo(1);
    }

    @Test
    void connectRefusedIs502() throws Exception {
        try (RawHttpClient c = client()) {
            Response r = c.get("api.example", "/dead/x");
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).startsWith("meridian: 502 Bad Gateway: cannot connect to endpoint 'dead-1' "
                    + "(127.0.0.1:" + deadPort + ")");
            // A failed GET leaves the client connection usable.
            assertThat(c.get("api.example", "/ok").status()).isEqualTo(200);
        }
        assertThat(proxy.stats().connectFailures.sum()).isEqualTo(1);
    }

    @Test
    void responseHeaderTimeoutIs504() throws Exception {
        try (RawHttpClient c = client()) {
            Response r = c.get("api.example", "/hang");
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.bodyText()).contains("endpoint 'live-1' sent no response headers within 300 ms");
        }
        assertThat(proxy.stats().responseTimeouts.sum()).isEqualTo(1);
    }

    @Test
    void upstreamClosingMidResponseClosesTheClientConnection() throws Exception {
        try (RawHttpClient c = client()) {
            c.send("GET /truncate HTTP/1.1\r\nHost: api.example\r\n\r\n");
            c.setReadTimeout(5000);
            // Status and the first 10 bytes came through; then the proxy must close rather than hang.
            byte[] all = c.readRemainingUntilClose();
            String text = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 200 OK").contains("content-length: 1000").endsWith("0123456789");
        }
        assertThat(proxy.stats().upstreamResets.sum()).isEqualTo(1);
    }

    @Test
    void upstreamStallingMidBodyClosesTheClientAfterTheIdleTimeout() throws Exception {
        try (RawHttpClient c = client()) {
            c.send("GET /stall HTTP/1.1\r\nHost: api.example\r\n\r\n");
            String text = new String(c.readRemainingUntilClose(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 200 OK").endsWith("0123456789");
        }
        assertThat(proxy.stats().responseTimeouts.sum()).isEqualTo(1);
        // The stalled upstream connection was discarded, not pooled.
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.openConnections() == 0);
    }

    @Test
    void upstreamClosingBeforeAnsweringIs502() throws Exception {
        try (RawHttpClient c = client()) {
            Response r = c.get("api.example", "/close");
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).contains("endpoint 'live-1' closed the connection before responding");
        }
    }

    @Test
    void requestLineTooLongIs414AndClose() throws Exception {
        try (RawHttpClient c = client()) {
            Response r = c.get("api.example", "/" + "a".repeat(2000));
            assertThat(r.status()).isEqualTo(414);
            assertThat(r.bodyText()).contains("request line longer than 1024 bytes");
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(proxy.stats().uriTooLong.sum()).isEqualTo(1);
        assertThat(backend.received()).isEmpty();
    }

    @Test
    void headersTooLargeIs431AndClose() throws Exception {
        try (RawHttpClient c = client()) {
            Response r = c.get("api.example", "/", "X-Big: " + "b".repeat(5000));
            assertThat(r.status()).isEqualTo(431);
            assertThat(r.bodyText()).contains("request headers larger than 4096 bytes");
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(proxy.stats().headersTooLarge.sum()).isEqualTo(1);
        assertThat(backend.received()).isEmpty();
    }

    @Test
    void malformedRequestIs400AndClose() throws Exception {
        try (RawHttpClient c = client()) {
            c.send("GET / HTTP/1.1\r\nHost: api.example\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n");
            Response r = c.read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).startsWith("meridian: 400 Bad Request: ");
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }
}
