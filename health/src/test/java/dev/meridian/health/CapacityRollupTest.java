package dev.meridian.health;

import static dev.meridian.health.Harness.cluster;
import static dev.meridian.health.Harness.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.EndpointConfig;
import dev.meridian.config.OutlierConfig;
import dev.meridian.config.StatusThresholds;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CapacityRollupTest {
    private static final OutlierConfig SLOW_DEGRADES = new OutlierConfig(1, 5, null,
            new OutlierConfig.LatencyConfig(Duration.ofMillis(100), 10, Duration.ofSeconds(1), 25),
            Duration.ofSeconds(1), Duration.ofSeconds(30), 50, false);

    @Test
    void statusThresholdsAreInclusiveFromTheTop() {
        StatusThresholds t = StatusThresholds.DEFAULT;

        assertThat(CapacityStatus.of(100, t)).isEqualTo(CapacityStatus.HEALTHY);
        assertThat(CapacityStatus.of(95, t)).isEqualTo(CapacityStatus.HEALTHY);
        assertThat(CapacityStatus.of(94.9, t)).isEqualTo(CapacityStatus.DEGRADED);
        assertThat(CapacityStatus.of(80, t)).isEqualTo(CapacityStatus.DEGRADED);
        assertThat(CapacityStatus.of(79.9, t)).isEqualTo(CapacityStatus.CRITICAL);
        assertThat(CapacityStatus.of(50, t)).isEqualTo(CapacityStatus.CRITICAL);
        assertThat(CapacityStatus.of(49.9, t)).isEqualTo(CapacityStatus.FAILED);
        assertThat(CapacityStatus.of(0, t)).isEqualTo(CapacityStatus.FAILED);
        assertThat(CapacityStatus.of(70, new StatusThresholds(99, 70, 10))).isEqualTo(CapacityStatus.DEGRADED);
    }

    @Test
    void aClusterIsJudgedOnItsHealthyShareOfEffectiveWeight() {
        Harness h = new Harness(cluster("c", SLOW_DEGRADES, endpoint("a", 100), endpoint("b", 100),
                endpoint("d", 100), endpoint("e", 100)));
        assertThat(h.health.clusterHealth("c")).isEqualTo(new CapacityHealth("c", CapacityStatus.HEALTHY, 100));

        h.endpoint("a").health().degraded(true);
        assertThat(h.health.clusterHealth("c")).isEqualTo(new CapacityHealth("c", CapacityStatus.DEGRADED, 81.25));

        h.health.checkedUnhealthy(h.endpoint("b"), "down");
        assertThat(h.health.clusterHealth("c").status()).isEqualTo(CapacityStatus.CRITICAL);

        h.health.checkedUnhealthy(h.endpoint("d"), "down");
        assertThat(h.health.clusterHealth("c").status()).isEqualTo(CapacityStatus.FAILED);
        assertThat(h.health.clusterHealth("nope")).isNull();
    }

    @Test
    void declaredCapacityOutweighsWeight() {
        Harness h = new Harness(cluster("c", SLOW_DEGRADES, withCapacity("big", 300), withCapacity("small", 100)));

        h.health.checkedUnhealthy(h.endpoint("big"), "down");

        assertThat(h.health.clusterHealth("c")).isEqualTo(new CapacityHealth("c", CapacityStatus.FAILED, 25));
    }

    @Test
    void regionsSumTheirEndpointsAcrossClusters() {
        Harness h = new Harness(
                cluster("api", SLOW_DEGRADES, endpoint("api-eu", 1, "eu"), endpoint("api-us", 1, "us")),
                cluster("web", SLOW_DEGRADES, endpoint("web-eu", 1000, "eu"), endpoint("web-us", 1000, "us")));

        h.health.checkedUnhealthy(h.endpoint("api-us"), "down");

        assertThat(h.health.regionHealth()).containsExactly(
                new CapacityHealth("eu", CapacityStatus.HEALTHY, 100),
                new CapacityHealth("us", CapacityStatus.CRITICAL, 50));
        assertThat(h.health.clusterHealth()).extracting(CapacityHealth::status)
                .containsExactly(CapacityStatus.CRITICAL, CapacityStatus.HEALTHY);
    }

    private static EndpointConfig withCapacity(String id, int capacity) {
        return new EndpointConfig(id, "127.0.0.1", 8080, "eu", null, 1, 0, capacity);
    }
}
