package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** server.max_requests_per_connection: the last response says Connection: close, and the connection closes. */
class RequestsPerConnectionTest {
    private TestBackend backend;
    private MeridianServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start("b");
        proxy = MeridianServer.start(TestConfigs.parse("""
                server:
                  max_requests_per_connection: 3
                clusters:
                  - name: app
                    endpoints:
                      - {id: b, address: "%s", region: local}
                routes:
                  - cluster: app
                """.formatted(backend.address())), 1);
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void theThirdResponseSaysCloseAndTheConnectionCloses() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            assertThat(c.get("a", "/1").header("connection")).isNull();
            assertThat(c.get("a", "/2").header("connection")).isNull();
            Response third = c.get("a", "/3");
            assertThat(third.status()).isEqualTo(200);
            assertThat(third.header("connection")).isEqualTo("close");
            assertThat(c.isClosedByPeer()).isTrue();
        }
        // A new connection starts its own count.
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            assertThat(c.get("a", "/4").header("connection")).isNull();
        }
        assertThat(proxy.stats().connectionsAtRequestLimit.sum()).isEqualTo(1);
    }

    @Test
    void pipelinedRequestsBeyondTheLimitAreNotServed() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            StringBuilder five = new StringBuilder();
            for (int i = 1; i <= 5; i++) {
                five.append("GET /").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
            }
            c.send(five.toString());
            List<Response> served = c.readAll(3);
            assertThat(served).extracting(Response::status).containsExactly(200, 200, 200);
            assertThat(served.get(2).header("connection")).isEqualTo("close");
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(backend.received()).extracting(TestBackend.Received::uri).containsExactly("/1", "/2", "/3");
    }

    @Test
    void aLocalReplyCountsAndClosesToo() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            assertThat(c.get("a", "/1").status()).isEqualTo(200);
            assertThat(c.get("a", "/2", "Expect: teapot").status()).isEqualTo(417);
            Response third = c.get("a", "/3", "Expect: teapot");
            assertThat(third.status()).isEqualTo(417);
            assertThat(third.header("connection")).isEqualTo("close");
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }
}
