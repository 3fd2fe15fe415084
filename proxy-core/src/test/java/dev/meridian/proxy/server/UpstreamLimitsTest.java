package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-endpoint connection cap and the connect timeout. */
class UpstreamLimitsTest {

    @Test
    void connectionCapPerEndpointAnswers503WhenReached() throws Exception {
        try (TestBackend backend = TestBackend.start("capped")) {
            MeridianServer proxy = MeridianServer.start(TestConfigs.parse("""
                    clusters:
                      - name: app
                        pool:
                          max_connections_per_endpoint: 1
                        endpoints:
                          - {id: capped, address: "%s", region: local}
                    routes:
                      - cluster: app
                    """.formatted(backend.address())), 1);
            try (RawHttpClient first = new RawHttpClient(proxy.address());
                 RawHttpClient second = new RawHttpClient(proxy.address())) {
                first.send("GET /delay/500 HTTP/1.1\r\nHost: a\r\n\r\n");
                await().atMost(Duration.ofSeconds(5)).until(() -> backend.received().size() == 1);

                Response refused = second.get("a", "/now");
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.bodyText()).contains("connection limit to endpoint 'capped' reached (1)");

                assertThat(first.read().status()).isEqualTo(200);
                // Once the connection is back in the pool, it serves the next request.
                assertThat(second.get("a", "/later").status()).isEqualTo(200);
                assertThat(backend.connectionsAccepted()).isEqualTo(1);
                assertThat(proxy.stats().poolExhausted.sum()).isEqualTo(1);
            } finally {
                proxy.close();
            }
        }
    }

    @Test
    void refusedConnectsDoNotUseUpTheConnectionCap() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            deadPort = s.getLocalPort();
        }
        MeridianServer proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    pool:
                      max_connections_per_endpoint: 2
                    endpoints:
                      - {id: down, address: "127.0.0.1:%d", region: local}
                routes:
                  - cluster: app
                """.formatted(deadPort)), 1);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            for (int i = 0; i < 6; i++) {
                Response r = c.get("a", "/" + i);
                assertThat(r.status()).as("request %d: %s", i, r.bodyText()).isEqualTo(502);
            }
            assertThat(proxy.stats().poolExhausted.sum()).isZero();
        } finally {
            proxy.close();
        }
    }

    @Test
    void connectTimeoutIs504() throws Exception {
        // A listener that never accepts, with its accept queue filled: the kernel drops further SYNs, so a connect
        // neither succeeds nor is refused, the way a blackholed host behaves.
        try (ServerSocket blackhole = new ServerSocket()) {
            blackhole.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(blackhole.getLocalSocketAddress(), 200);
                        fillers.add(s);
                    } catch (java.io.IOException queueFull) {
                        s.close();
                        break;
                    }
                }
                MeridianServer proxy = MeridianServer.start(TestConfigs.parse("""
                        clusters:
                          - name: app
                            endpoints:
                              - {id: blackholed, address: "127.0.0.1:%d", region: local}
                        routes:
                          - cluster: app
                            timeouts:
                              connect: 300ms
                        """.formatted(blackhole.getLocalPort())), 1);
                try (RawHttpClient c = new RawHttpClient(proxy.address())) {
                    Response r = c.get("a", "/");
                    assertThat(r.status()).isEqualTo(504);
                    assertThat(r.bodyText()).contains("connect to endpoint 'blackholed'")
                            .contains("timed out after 300 ms");
                    assertThat(proxy.stats().connectTimeouts.sum()).isEqualTo(1);
                } finally {
                    proxy.close();
                }
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }
}
