package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.routing.geo.ClientLocation;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each request's client location comes from the trusted header when the peer is trusted, else from the table. */
class ClientLocationTest {
    private static final String HEADER = "x-client-location";

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

    /** Region "local" (US, 0,0) comes with TestConfigs; the table places loopback in Frankfurt. */
    private RawHttpClient start(String trustedSource) throws Exception {
        backend = TestBackend.start("a");
        proxy = MeridianServer.start(TestConfigs.parse("""
                geo:
                  trusted_header: %s
                  trusted_sources: [%s]
                  cidrs:
                    - {cidr: 127.0.0.0/8, country: DE, latitude: 50.11, longitude: 8.68}
                clusters:
                  - name: app
                    endpoints:
                      - {id: a, address: "%s", region: local}
                routes:
                  - cluster: app
                """.formatted(HEADER, trustedSource, backend.address())), 1);
        return new RawHttpClient(proxy.address());
    }

    /** The location the proxy used for the connection's last request, read on its event loop. */
    private ClientLocation lastLocation() throws Exception {
        Channel ch = proxy.context().clientChannels().iterator().next();
        return ch.eventLoop().submit(() -> ch.pipeline().get(Http1Downstream.class).clientLocation())
                .get(5, TimeUnit.SECONDS);
    }

    @Test
    void aTrustedPeersHeaderWinsAndItsAbsenceFallsBackToTheTable() throws Exception {
        try (RawHttpClient client = start("127.0.0.1/32")) {
            assertThat(client.get("app", "/", HEADER + ": local").status()).isEqualTo(200);
            ClientLocation stated = lastLocation();
            assertThat(stated.country()).isNull();
            assertThat(stated.jurisdiction()).isEqualTo("US");

            assertThat(client.get("app", "/").status()).isEqualTo(200);
            ClientLocation table = lastLocation();
            assertThat(table.country()).isEqualTo("DE");
            assertThat(table.jurisdiction()).isEqualTo("EU");
            assertThat(table.latitude()).isEqualTo(50.11);

            assertThat(client.get("app", "/", HEADER + ": country=JP; lat=35.68; lon=139.69").status())
                    .isEqualTo(200);
            assertThat(lastLocation().country()).isEqualTo("JP");
            assertThat(lastLocation().longitude()).isEqualTo(139.69);

            assertThat(client.get("app", "/", HEADER + ": garbage").status()).isEqualTo(200);
            assertThat(lastLocation()).isSameAs(table);
        }
    }

    @Test
    void anUntrustedPeersHeaderIsIgnoredAndNotForwarded() throws Exception {
        try (RawHttpClient client = start("10.0.0.0/8")) {
            assertThat(client.get("app", "/", HEADER + ": local").status()).isEqualTo(200);
            assertThat(lastLocation().country()).isEqualTo("DE");
            assertThat(backend.lastReceived().headers().contains(HEADER)).isFalse();
        }
    }

    @Test
    void aTrustedPeersHeaderIsForwarded() throws Exception {
        try (RawHttpClient client = start("127.0.0.1/32")) {
            assertThat(client.get("app", "/", HEADER + ": local").status()).isEqualTo(200);
            assertThat(backend.lastReceived().headers().get(HEADER)).isEqualTo("local");
        }
    }
}
