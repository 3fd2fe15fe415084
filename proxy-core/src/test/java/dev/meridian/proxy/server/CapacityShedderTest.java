package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.ContinuityLevel;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.CircuitBreaker.Verdict;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.RoutingTableRef;
import dev.meridian.testing.TestConfigs;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The sampler that sheds tiers when a cluster's offered rate outgrows its healthy capacity; a fake clock. */
class CapacityShedderTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final RoutingTableRef ref = new RoutingTableRef(RoutingTable.build(TestConfigs.parse("""
            clusters:
              - name: app
                endpoints:
                  - {id: a, address: "127.0.0.1:9001", region: local, capacity: 100}
                  - {id: b, address: "127.0.0.1:9002", region: local, capacity: 100}
              - name: plain
                endpoints:
                  - {id: c, address: "127.0.0.1:9003", region: local}
            routes:
              - cluster: app
            """), null));
    private final Continuity continuity = new Continuity(ContinuityLevel.FULL, true);
    private double healthyPercent = 100;
    private final CapacityShedder shedder = new CapacityShedder(ref, name -> healthyPercent, continuity, 0);

    @Test
    void losingHalfTheCapacityShedsTheLowestTiersUntilTheRestFits() {
        CircuitBreaker app = ref.current().cluster("app").breaker();
        shedder.sample(0);
        offer(app, 50, 50, 50, 0, 20);   // 170 rps of 200
        shedder.sample(SECOND);
        assertThat(app.capacityTier()).isEqualTo(4);

        healthyPercent = 50;             // 100 rps left: tiers 0 and 1 fit, tier 2 does not
        offer(app, 50, 50, 50, 0, 20);
        shedder.sample(2 * SECOND);
        assertThat(app.capacityTier()).isEqualTo(1);
        assertThat(app.admit(2)).isEqualTo(Verdict.SHED_CAPACITY);
        assertThat(app.admit(1)).isEqualTo(Verdict.ADMITTED);
        app.requestEnded();

        healthyPercent = 100;            // back: 170 rps fit in 90 % of 200 again
        offer(app, 50, 50, 50, 0, 20);
        shedder.sample(3 * SECOND);
        assertThat(app.capacityTier()).isEqualTo(4);
    }

    @Test
    void theCriticalTierIsNeverShedOnCapacity() {
        CircuitBreaker app = ref.current().cluster("app").breaker();
        shedder.sample(0);
        healthyPercent = 0;
        offer(app, 500, 0, 0, 0, 0);
        shedder.sample(SECOND);
        assertThat(app.capacityTier()).isZero();
        assertThat(app.admit(0)).isEqualTo(Verdict.ADMITTED);
    }

    @Test
    void clustersWithoutCapacitiesOrWithSheddingOffAreLeftAlone() {
        CircuitBreaker app = ref.current().cluster("app").breaker();
        CircuitBreaker plain = ref.current().cluster("plain").breaker();
        shedder.sample(0);
        healthyPercent = 10;
        offer(plain, 0, 0, 0, 0, 1000);
        shedder.sample(SECOND);
        assertThat(plain.capacityAware()).isFalse();
        assertThat(plain.capacityTier()).isEqualTo(4);

        continuity.configured(ContinuityLevel.FULL, false);
        offer(app, 0, 0, 0, 0, 1000);
        shedder.sample(2 * SECOND);
        assertThat(app.capacityTier()).isEqualTo(4);
    }

    /** Offers requests per tier, each admitted (or not) and ended at once: only the demand is left behind. */
    private static void offer(CircuitBreaker breaker, int... perTier) {
        for (int tier = 0; tier < perTier.length; tier++) {
            for (int i = 0; i < perTier[tier]; i++) {
                if (breaker.admit(tier) == Verdict.ADMITTED) {
                    breaker.requestEnded();
                }
            }
        }
    }
}
