package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.config.ConfigLoader;
import dev.meridian.config.MeridianConfig;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Residency fails closed end to end: an EU client is refused rather than served from the US when every EU endpoint
 * is down, while US clients go on being served; the decision header shows where a response came from.
 */
class ResidencyRoutingTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private MeridianServer start(String euAddress, String usAddress, int status) throws Exception {
        MeridianConfig config = ConfigLoader.parse("residency.yaml", """
                listeners:
                  - {address: 127.0.0.1, port: 0}
                admin: {port: 0}
                geo:
                  trusted_header: x-client-location
                  trusted_sources: [127.0.0.0/8]
                regions:
                  - {name: eu-west, jurisdiction: EU, latitude: 50.1, longitude: 8.7}
                  - {name: us-east, jurisdiction: US, latitude: 39.0, longitude: -77.5}
                clusters:
                  - name: app
                    endpoints:
                      - {id: eu-1, address: "%s", region: eu-west}
                      - {id: us-1, address: "%s", region: us-east}
                routes:
                  - name: api
                    cluster: app
                    decision_header: true
                    residency:
                      allow: {EU: [EU]}
                      unknown: deny
                      status: %d
                """.formatted(euAddress, usAddress, status)).orThrow();
        MeridianServer proxy = MeridianServer.start(config, 1);
        open.add(proxy);
        return proxy;
    }

    @Test
    void euClientIsRefusedRatherThanServedFromTheUsWhenEveryEuEndpointIsDown() throws Exception {
        TestBackend us = TestBackend.start("us-1");
        open.add(us);
        TestBackend eu = TestBackend.start("eu-1");
        String euAddress = eu.address();
        eu.close();  // its port now refuses connections
        MeridianServer proxy = start(euAddress, us.address(), 503);

        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Response r = client.get("x", "/", "x-client-location: eu-west");
                assertThat(r.status()).isIn(502, 503);
                return r.status() == 503 && r.bodyText().contains("residency");
            });
            for (int i = 0; i < 20; i++) {
                Response r = client.get("x", "/", "x-client-location: eu-west");
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.bodyText()).contains("no endpoint of cluster 'app' in EU");
            }
            assertThat(us.received()).isEmpty();

            Response american = client.get("x", "/", "x-client-location: us-east");
            assertThat(american.status()).isEqualTo(200);
            assertThat(american.header("x-meridian-decision")).contains("route=api", "endpoint=us-1", "allowed=any");
        }
        assertThat(proxy.stats().residencyRefused.sum()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void clientsOfUnknownLocationAreDeniedWithTheConfiguredStatus() throws Exception {
        TestBackend eu = TestBackend.start("eu-1");
        TestBackend us = TestBackend.start("us-1");
        open.add(eu);
        open.add(us);
        MeridianServer proxy = start(eu.address(), us.address(), 451);

        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            Response unknown = client.get("x", "/");
            Response european = client.get("x", "/", "x-client-location: eu-west");

            assertThat(unknown.status()).isEqualTo(451);
            assertThat(unknown.bodyText()).contains("serves no client of unknown location");
            assertThat(european.status()).isEqualTo(200);
            assertThat(european.header("x-backend")).isEqualTo("eu-1");
            assertThat(european.header("x-meridian-decision")).contains("endpoint=eu-1", "allowed=EU", "client=");
        }
        assertThat(eu.received()).hasSize(1);
        assertThat(us.received()).isEmpty();
    }
}
