package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.GeoCidr;
import dev.meridian.config.GeoConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.routing.geo.ClientLocation;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
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

    private RawHttpClient start(String trustedSource) throws Exception {
        backend = TestBackend.start("a");
        MeridianConfig base = TestConfigs.oneCluster(backend);
        List<RegionConfig> regions = new ArrayList<>(base.regions());
        regions.add(new RegionConfig("eu-west", "EU", 53.35, -6.26));
        GeoConfig geo = new GeoConfig(HEADER, List.of(trustedSource),
                List.of(new GeoCidr("127.0.0.0/8", null, "US", null, 40.7, -74.0)), null);
        proxy = MeridianServer.start(new MeridianConfig(base.source(), base.listeners(), base.admin(), base.server(),
                regions, base.clusters(), base.routes(), geo), 1);
        return new RawHttpClient(proxy.address());
    }

    /** The location the proxy used for the connection's last request, read on its event loop. */
    private ClientLocation lastLocation() throws Exception {
        Channel ch = proxy.context().clientChannels().iterator().next();
        return ch.eventLoop().submit(() -> ch.pipeline().get(ProxyHandler.class).clientLocation())
                .get(5, TimeUnit.SECONDS);
    }

    @Test
    void aTrustedPeersHeaderWinsAndItsAbsenceFallsBackToTheTable() throws Exception {
        try (RawHttpClient client = start("127.0.0.1/32")) {
            assertThat(client.get("app", "/", HEADER + ": eu-west").status()).isEqualTo(200);
            ClientLocation stated = lastLocation();
            assertThat(stated.jurisdiction()).isEqualTo("EU");
            assertThat(stated.latitude()).isEqualTo(53.35);

            assertThat(client.get("app", "/").status()).isEqualTo(200);
            ClientLocation table = lastLocation();
            assertThat(table.country()).isEqualTo("US");
            assertThat(table.latitude()).isEqualTo(40.7);

            assertThat(client.get("app", "/", HEADER + ": country=DE; lat=50.11; lon=8.68").status())
                    .isEqualTo(200);
            assertThat(lastLocation().country()).isEqualTo("DE");
            assertThat(lastLocation().jurisdiction()).isEqualTo("EU");

            assertThat(client.get("app", "/", HEADER + ": garbage").status()).isEqualTo(200);
            assertThat(lastLocation()).isSameAs(table);
        }
    }

    @Test
    void anUntrustedPeersHeaderIsIgnored() throws Exception {
        try (RawHttpClient client = start("10.0.0.0/8")) {
            assertThat(client.get("app", "/", HEADER + ": eu-west").status()).isEqualTo(200);
            assertThat(lastLocation().country()).isEqualTo("US");
        }
    }
}
