package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.config.ConfigLoader;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** `geo` end to end: clients located by the trusted header go to their nearest region, and spill when it fails. */
class GeoRoutingTest {
    private static final String BERLIN = "x-client-location: country=DE; lat=52.5; lon=13.4";
    private static final String NEW_YORK = "x-client-location: country=US; lat=40.7; lon=-74.0";
    private static final String TOKYO = "x-client-location: country=JP; lat=35.7; lon=139.7";

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void eachClientGoesToItsNearestRegionAndSpillsToTheNextWhenItFails() throws Exception {
        TestBackend eu = backend("eu-1");
        TestBackend us = backend("us-1");
        TestBackend ap = backend("ap-1");
        MeridianServer proxy = MeridianServer.start(ConfigLoader.parse("geo.yaml", """
                listeners:
                  - {address: 127.0.0.1, port: 0}
                admin: {port: 0}
                geo:
                  trusted_header: x-client-location
                  trusted_sources: [127.0.0.1/32, "::1/128"]
                regions:
                  - {name: eu-west, jurisdiction: EU, latitude: 50.1, longitude: 8.7}
                  - {name: us-east, jurisdiction: US, latitude: 39.0, longitude: -77.5}
                  - {name: ap-south, jurisdiction: SG, latitude: 1.35, longitude: 103.8}
                clusters:
                  - name: app
                    policy: geo
                    geo: {within: least_request}
                    endpoints:
                      - {id: eu-1, address: "%s", region: eu-west}
                      - {id: us-1, address: "%s", region: us-east}
                      - {id: ap-1, address: "%s", region: ap-south}
                routes:
                  - cluster: app
                """.formatted(eu.address(), us.address(), ap.address())).orThrow(), 1);
        open.add(proxy);

        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            for (int i = 0; i < 10; i++) {
                assertThat(client.get("x", "/", BERLIN).header("x-backend")).isEqualTo("eu-1");
                assertThat(client.get("x", "/", NEW_YORK).header("x-backend")).isEqualTo("us-1");
                assertThat(client.get("x", "/", TOKYO).header("x-backend")).isEqualTo("ap-1");
            }

            eu.close();
            // Berlin is 6,700 km from Virginia and 9,900 km from Singapore: the US is the next nearest. The request
            // that finds the EU endpoint dead is retried elsewhere, so no client sees the failure.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                RawHttpClient.Response r = client.get("x", "/", BERLIN);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("x-backend")).isEqualTo("us-1");
            });
            for (int i = 0; i < 10; i++) {
                assertThat(client.get("x", "/", BERLIN).header("x-backend")).isEqualTo("us-1");
                assertThat(client.get("x", "/", TOKYO).header("x-backend")).isEqualTo("ap-1");
            }
        }
    }

    private TestBackend backend(String name) throws InterruptedException {
        TestBackend b = TestBackend.start(name);
        open.add(b);
        return b;
    }
}
