package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** An idle client keep-alive connection is closed after server.keepalive_timeout, a busy one is not. */
class KeepAliveTimeoutTest {

    @Test
    void idleClientConnectionIsClosedButALongRequestIsNot() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            MeridianServer proxy = MeridianServer.start(TestConfigs.parse("""
                    server:
                      keepalive_timeout: 300ms
                    clusters:
                      - name: app
                        endpoints:
                          - {id: b, address: "%s", region: local}
                    routes:
                      - cluster: app
                    """.formatted(backend.address())), 1);
            try (RawHttpClient c = new RawHttpClient(proxy.address())) {
                // A response slower than the keep-alive timeout: the connection is busy, not idle.
                assertThat(c.get("a", "/delay/600").status()).isEqualTo(200);
                assertThat(c.get("a", "/again").status()).isEqualTo(200);
                c.setReadTimeout(5000);
                long start = System.nanoTime();
                assertThat(c.isClosedByPeer()).isTrue();
                assertThat((System.nanoTime() - start) / 1_000_000).isBetween(100L, 4000L);
            } finally {
                proxy.close();
            }
        }
    }
}
