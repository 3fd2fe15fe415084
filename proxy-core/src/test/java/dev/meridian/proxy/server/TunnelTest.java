package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests that would turn a connection into a tunnel: CONNECT is refused unless its route allows it. */
class TunnelTest {
    private TestBackend backend;
    private MeridianServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start("b1");
        proxy = MeridianServer.start(TestConfigs.oneCluster(backend), 1);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    @Test
    void connectIsRefusedWith405AndAReasonUnlessTheRouteAllowsIt() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n");
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.bodyText()).startsWith("meridian: 405").contains("CONNECT is not allowed on route")
                    .hasLineCount(1);
            // Refused on its head alone, with nothing sent upstream: the connection serves the next request.
            assertThat(c.get("a", "/after").status()).isEqualTo(200);
        }
        assertThat(backend.received()).extracting(TestBackend.Received::method).containsExactly("GET");
    }
}
