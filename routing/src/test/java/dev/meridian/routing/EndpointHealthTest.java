package dev.meridian.routing;

import static dev.meridian.routing.Fixtures.endpoint;
import static dev.meridian.routing.Fixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.OutlierConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.config.SlowStartConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointHealthTest {
    private static final long SECOND = 1_000_000_000L;

    private final ClusterConfig config = withHealth(new SlowStartConfig(Duration.ofSeconds(10), 10), 25);
    private final EndpointState state = table(config).endpoint("a");
    private final EndpointHealth health = state.health();

    @Test
    void startsHealthyAndActive() {
        assertThat(state.status()).isEqualTo(EndpointStatus.HEALTHY);
        assertThat(health.adminState()).isEqualTo(AdminState.ACTIVE);
        assertThat(health.ejectionCount()).isZero();
    }

    @Test
    void statusFollowsPrecedenceMaintenanceDrainingEjectedUnhealthyDegraded() {
        health.degraded(true);
        assertThat(state.status()).isEqualTo(EndpointStatus.DEGRADED);
        health.checkFailing(true);
        assertThat(state.status()).isEqualTo(EndpointStatus.UNHEALTHY);
        health.eject();
        assertThat(state.status()).isEqualTo(EndpointStatus.EJECTED);
        health.adminState(AdminState.DRAINING);
        assertThat(state.status()).isEqualTo(EndpointStatus.DRAINING);
        health.adminState(AdminState.MAINTENANCE);
        assertThat(state.status()).isEqualTo(EndpointStatus.MAINTENANCE);

        health.adminState(AdminState.ACTIVE);
        health.unEject();
        health.checkFailing(false);
        assertThat(state.status()).isEqualTo(EndpointStatus.DEGRADED);
        health.degraded(false);
        assertThat(state.status()).isEqualTo(EndpointStatus.HEALTHY);
    }

    @Test
    void anOverrideReplacesTheConfiguredWeightWhileSet() {
        health.weightOverride(40);
        assertThat(health.effectiveWeight(100, 0, config)).isEqualTo(40);
        assertThat(health.healthyWeight(100, config)).isEqualTo(40);
        health.weightOverride(0);
        assertThat(health.effectiveWeight(100, 0, config)).isZero();
        assertThat(health.healthyWeight(100, config)).isZero();
        health.weightOverride(EndpointHealth.NO_WEIGHT_OVERRIDE);
        assertThat(health.effectiveWeight(100, 0, config)).isEqualTo(100);
    }

    @Test
    void ejectionsAreCountedUntilReset() {
        health.eject();
        health.unEject();
        health.eject();

        assertThat(health.ejected()).isTrue();
        assertThat(health.ejectionCount()).isEqualTo(2);
        health.resetEjectionCount();
        assertThat(health.ejectionCount()).isZero();
    }

    @Test
    void effectiveWeightIsTheConfiguredWeightWhenHealthy() {
        assertThat(state.effectiveWeight(0, config)).isEqualTo(200);
    }

    @Test
    void aDegradedEndpointKeepsItsDegradedShare() {
        health.degraded(true);

        assertThat(state.effectiveWeight(0, config)).isEqualTo(50);
        assertThat(health.healthyWeight(200, config)).isEqualTo(50);
    }

    @Test
    void anEndpointOutOfRotationWeighsNothingButKeepsItsCapacityOutOfTheHealthySum() {
        for (Runnable out : List.<Runnable>of(health::eject, () -> health.checkFailing(true),
                () -> health.adminState(AdminState.DRAINING), () -> health.adminState(AdminState.MAINTENANCE))) {
            out.run();

            assertThat(state.effectiveWeight(0, config)).isZero();
            assertThat(health.healthyWeight(200, config)).isZero();

            health.adminState(AdminState.ACTIVE);
            health.unEject();
            health.checkFailing(false);
        }
    }

    @Test
    void slowStartRampsLinearlyFromTheFloorOverTheWindow() {
        long start = 5 * SECOND;
        health.startSlowStart(start);

        assertThat(state.effectiveWeight(start, config)).isEqualTo(20);
        assertThat(state.effectiveWeight(start + SECOND, config)).isEqualTo(38);
        assertThat(state.effectiveWeight(start + 5 * SECOND, config)).isEqualTo(110);
        assertThat(state.effectiveWeight(start + 9 * SECOND, config)).isEqualTo(182);
        assertThat(state.effectiveWeight(start + 10 * SECOND, config)).isEqualTo(200);
        assertThat(state.effectiveWeight(start + 60 * SECOND, config)).isEqualTo(200);
        assertThat(health.healthyWeight(200, config)).isEqualTo(200);
    }

    @Test
    void slowStartIsOverWhenTheWindowEnds() {
        health.startSlowStart(0);

        assertThat(health.inSlowStart(0, config.slowStart())).isTrue();
        assertThat(health.inSlowStart(10 * SECOND - 1, config.slowStart())).isTrue();
        assertThat(health.inSlowStart(10 * SECOND, config.slowStart())).isFalse();
    }

    @Test
    void rampAndDegradationMultiply() {
        health.startSlowStart(0);
        health.degraded(true);

        assertThat(state.effectiveWeight(5 * SECOND, config)).isEqualTo(28);   // 200 x 55% x 25% = 27.5
    }

    @Test
    void aZeroWindowDisablesSlowStart() {
        ClusterConfig noRamp = withHealth(new SlowStartConfig(Duration.ZERO, 10), 25);
        health.startSlowStart(0);

        assertThat(state.effectiveWeight(0, noRamp)).isEqualTo(200);
        assertThat(health.inSlowStart(0, noRamp.slowStart())).isFalse();
    }

    @Test
    void aTinyWeightNeverRampsToZero() {
        health.startSlowStart(0);

        assertThat(health.effectiveWeight(1, 0, config)).isEqualTo(1);
    }

    private static ClusterConfig withHealth(SlowStartConfig slowStart, int degradedPercent) {
        OutlierConfig outlier = new OutlierConfig(1, 5, null,
                new OutlierConfig.LatencyConfig(Duration.ofMillis(100), 10, Duration.ofSeconds(10), degradedPercent),
                Duration.ofSeconds(1), Duration.ofSeconds(30), 50, false);
        return new ClusterConfig("c", Policy.WEIGHTED, PoolConfig.DEFAULT, List.of(endpoint("a", 200)), null,
                outlier, slowStart, null, null, null);
    }
}
