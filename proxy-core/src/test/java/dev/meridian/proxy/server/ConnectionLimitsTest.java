package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * server.max_connections and max_connections_per_client: a connection over either is closed as soon as accepted,
 * counted, and leaves no trace; another address is still served. Linux routes all of 127.0.0.0/8 over loopback, so
 * 127.0.0.2 and 127.0.0.3 are second and third clients.
 */
class ConnectionLimitsTest {
    private static final InetAddress FIRST = address("127.0.0.1");
    private static final InetAddress SECOND = address("127.0.0.2");
    private static final InetAddress THIRD = address("127.0.0.3");

    private TestBackend backend;
    private MeridianServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start("b");
        proxy = MeridianServer.start(TestConfigs.parse("""
                server:
                  max_connections: 3
                  max_connections_per_client: 2
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

    private RawHttpClient servedFrom(InetAddress from) throws Exception {
        RawHttpClient c = new RawHttpClient(proxy.address(), from);
        assertThat(c.get("a", "/").status()).isEqualTo(200);
        return c;
    }

    @Test
    void theClientOverItsLimitIsClosedAtOnceWhileAnotherAddressIsServed() throws Exception {
        try (RawHttpClient a1 = servedFrom(FIRST);
             RawHttpClient a2 = servedFrom(FIRST);
             RawHttpClient a3 = new RawHttpClient(proxy.address(), FIRST)) {
            // Closed before a byte is read: no response, whatever is sent.
            a3.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(a3.readRemainingUntilClose()).isEmpty();
            try (RawHttpClient b1 = servedFrom(SECOND)) {
                assertThat(a1.get("a", "/again").status()).isEqualTo(200);
            }
        }
        assertThat(proxy.stats().connectionsOverClientLimit.sum()).isEqualTo(1);
        assertThat(proxy.stats().connectionsOverLimit.sum()).isZero();
        assertThat(backend.received()).hasSize(4);
    }

    @Test
    void theConnectionOverTheTotalIsClosedAndARefusedOneFreesNothing() throws Exception {
        try (RawHttpClient a1 = servedFrom(FIRST);
             RawHttpClient b1 = servedFrom(SECOND);
             RawHttpClient c1 = servedFrom(THIRD);
             RawHttpClient c2 = new RawHttpClient(proxy.address(), THIRD)) {
            assertThat(c2.readRemainingUntilClose()).isEmpty();
            assertThat(proxy.stats().connectionsOverLimit.sum()).isEqualTo(1);
            // Room again once one closes: the proxy counts the close on its own loop, so wait for it.
            a1.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> limiter().open() == 2);
            try (RawHttpClient c3 = servedFrom(THIRD)) {
                assertThat(limiter().open()).isEqualTo(3);
            }
        }
        // Every address left the map with its last connection.
        await().atMost(Duration.ofSeconds(5)).until(() -> limiter().open() == 0);
        assertThat(limiter().clientsTracked()).isZero();
    }

    private ConnectionLimiter limiter() {
        return proxy.context().connectionLimiter();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
