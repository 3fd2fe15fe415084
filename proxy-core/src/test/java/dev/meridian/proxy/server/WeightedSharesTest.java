package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Weights hold end to end, for endpoints of a cluster and for a split across clusters. */
class WeightedSharesTest {

    @Test
    void endpointWeightsAreExactOverWholeCycles() throws Exception {
        try (TestBackend a = TestBackend.start("a");
             TestBackend b = TestBackend.start("b");
             TestBackend c = TestBackend.start("c")) {
            MeridianServer proxy = MeridianServer.start(TestConfigs.parse("""
                    clusters:
                      - name: app
                        endpoints:
                          - {id: a, address: "%s", region: local, weight: 1}
                          - {id: b, address: "%s", region: local, weight: 3}
                          - {id: c, address: "%s", region: local, weight: 6}
                    routes:
                      - cluster: app
                        retries:
                          hedge: {enabled: false}  # a hedge on a busy machine would take an extra pick
                    """.formatted(a.address(), b.address(), c.address())), 1);
            try (RawHttpClient client = new RawHttpClient(proxy.address())) {
                Map<String, Integer> counts = new TreeMap<>();
                for (int i = 0; i < 1000; i++) {
                    counts.merge(client.get("x", "/").header("x-backend"), 1, Integer::sum);
                }
                // One event loop, one cursor: 100 whole cycles of 10, so the shares are exact.
                assertThat(counts).containsExactly(Map.entry("a", 100), Map.entry("b", 300), Map.entry("c", 600));
            } finally {
                proxy.close();
            }
        }
    }

    @Test
    void weightedSplitAcrossClustersHolds() throws Exception {
        try (TestBackend stable = TestBackend.start("stable");
             TestBackend canary = TestBackend.start("canary")) {
            MeridianServer proxy = MeridianServer.start(TestConfigs.parse("""
                    clusters:
                      - name: stable
                        endpoints:
                          - {id: stable-1, address: "%s", region: local}
                      - name: canary
                        endpoints:
                          - {id: canary-1, address: "%s", region: local}
                    routes:
                      - retries:
                          hedge: {enabled: false}
                        split:
                          - {cluster: stable, weight: 90}
                          - {cluster: canary, weight: 10}
                    """.formatted(stable.address(), canary.address())), 1);
            try (RawHttpClient client = new RawHttpClient(proxy.address())) {
                int canaryHits = 0;
                for (int i = 0; i < 500; i++) {
                    if ("canary".equals(client.get("x", "/").header("x-backend"))) {
                        canaryHits++;
                    }
                }
                assertThat(canaryHits).isEqualTo(50);
            } finally {
                proxy.close();
            }
        }
    }
}
