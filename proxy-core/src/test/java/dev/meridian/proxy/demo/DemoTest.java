package dev.meridian.proxy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoTest {

    @Test
    void demoStartsAndEachRegionAnswersByWeight() throws Exception {
        try (Demo demo = Demo.start(0, 0)) {
            assertThat(demo.instructions()).contains("http://127.0.0.1:" + demo.server().address().getPort() + "/",
                    "http://127.0.0.1:" + demo.server().admin().address().getPort() + "/endpoints");
            Map<String, Integer> byRegion = new HashMap<>();
            try (RawHttpClient c = new RawHttpClient(demo.server().address())) {
                for (int i = 0; i < 100; i++) {
                    Response r = c.get("localhost", "/hello");
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.bodyText()).matches("served by region [a-z-]+ \\(endpoint [a-z0-9-]+\\) for GET /hello\n");
                    byRegion.merge(r.header("x-served-by-region"), 1, Integer::sum);
                }
                // One connection, one loop, so the weighted cycle is exact, unless a slow answer on a busy machine
                // was hedged to the next endpoint: allow for a few of those.
                assertThat(byRegion.get("us-east")).isBetween(47, 53);
                assertThat(byRegion.get("eu-west")).isBetween(27, 33);
                assertThat(byRegion.get("ap-southeast")).isBetween(17, 23);
                assertThat(c.get("localhost", "/eu/profile").header("x-served-by-region")).isEqualTo("eu-west");
            }
        }
    }

    @Test
    void bundledConfigIsValid() {
        assertThat(Demo.config(0, 0, Map.of("US_EAST_PORT", 1, "EU_WEST_PORT", 2, "AP_SOUTHEAST_PORT", 3))
                .clusters()).hasSize(2);
    }
}
