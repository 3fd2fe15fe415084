package dev.meridian.health;

import static dev.meridian.health.Harness.MS;
import static dev.meridian.health.Harness.cluster;
import static dev.meridian.health.Harness.endpoint;
import static dev.meridian.health.Harness.outlier;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.OutlierConfig;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.EndpointStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {
    private static final OutlierConfig DEFAULTS = OutlierConfig.DEFAULT;

    @Test
    void aGatewayFailureEjectsAtOnceAndThePublishIsDoneBeforeTheCallReturns() {
        Harness h = new Harness(cluster("c", DEFAULTS, endpoint("a", 1), endpoint("b", 1), endpoint("d", 1),
                endpoint("e", 1)));

        h.health.connectFailed(h.endpoint("a"), false);

        assertThat(h.endpoint("a").status()).isEqualTo(EndpointStatus.EJECTED);
        assertThat(h.picks("c", 300)).doesNotContain("a").contains("b", "d", "e");
        HealthEvent event = h.health.events().get(0);
        assertThat(event.endpoint()).isEqualTo("a");
        assertThat(event.cluster()).isEqualTo("c");
        assertThat(event.from()).isEqualTo(EndpointStatus.HEALTHY);
        assertThat(event.to()).isEqualTo(EndpointStatus.EJECTED);
        assertThat(event.cause()).isEqualTo("consecutive gateway failures: 1 (connect refused)");
        assertThat(event.detectionNanos()).isZero();
    }

    @Test
    void theEjectionEventCarriesTheTimeFromTheFirstFailureSeen() {
        Harness h = new Harness(cluster("c", outlier(3, 5, 50, false), endpoint("a", 1), endpoint("b", 1)));
        EndpointState a = h.endpoint("a");

        h.health.failedBeforeResponse(a);
        h.control.advanceMillis(5);
        h.health.connectFailed(a, true);
        h.control.advanceMillis(7);
        assertThat(a.status()).isEqualTo(EndpointStatus.HEALTHY);
        h.health.failedBeforeResponse(a);

        assertThat(a.status()).isEqualTo(EndpointStatus.EJECTED);
        assertThat(h.health.events()).singleElement().satisfies(e -> {
            assertThat(e.detectionNanos()).isEqualTo(12 * MS);
            assertThat(e.cause()).startsWith("consecutive gateway failures: 3");
        });
    }

    @Test
    void aRecentP99IsKeptForHedgingEvenWithoutALatencyDetector() {
        Harness h = new Harness(cluster("c", DEFAULTS, endpoint("a", 1), endpoint("b", 1)));
        EndpointState a = h.endpoint("a");
        assertThat(a.recentP99Nanos()).isZero();

        for (int i = 1; i <= 100; i++) {
            h.health.responded(a, 200, i * MS);   // 1..100 ms: the p99 is 99 ms
        }
        h.control.advanceMillis(1_100);           // the first tick starts the window, the next closes it
        h.control.advanceMillis(1_100);

        assertThat(a.recentP99Nanos()).isBetween(98 * MS, 100 * MS);
        assertThat(a.status()).isEqualTo(EndpointStatus.HEALTHY);
        assertThat(h.endpoint("b").recentP99Nanos()).isZero();
    }

    @Test
    void aSuccessEndsTheRun() {
        Harness h = new Harness(cluster("c", outlier(2, 5, 50, false), endpoint("a", 1), endpoint("b", 1)));
        EndpointState a = h.endpoint("a");

        h.health.connectFailed(a, false);
        h.health.responded(a, 200, MS);
        h.health.connectFailed(a, false);

        assertThat(a.status()).isEqualTo(EndpointStatus.HEALTHY);
    }

    @Test
    void fiveConsecutive5xxEject() {
        Harness h = new Harness(cluster("c", DEFAULTS, endpoint("a", 1), endpoint("b", 1)));
        EndpointState a = h.endpoint("a");

        for (int i = 0; i < 4; i++) {
            h.health.responded(a, 503, MS);
        }
        h.health.responded(a, 404, MS);
        for (int i = 0; i < 4; i++) {
            h.health.responded(a, 500, MS);
        }
        assertThat(a.status()).isEqualTo(EndpointStatus.HEALTHY);
        h.health.responded(a, 502, MS);

        assertThat(a.status()).isEqualTo(EndpointStatus.EJECTED);
        assertThat(h.health.events().get(0).cause()).isEqualTo("consecutive 5xx: 5 (last 502)");
    }

    @Test
    void ejectionLastsBaseTimesTheEjectionCountCapped() {
        OutlierConfig o = new OutlierConfig(1, 5, null, null, Duration.ofSeconds(1), Duration.ofSeconds(30), 50,
                false);

        assertThat(Ejector.ejectionNanos(o, 1)).isEqualTo(1_000 * MS);
        assertThat(Ejector.ejectionNanos(o, 2)).isEqualTo(2_000 * MS);
        assertThat(Ejector.ejectionNanos(o, 7)).isEqualTo(7_000 * MS);
        assertThat(Ejector.ejectionNanos(o, 30)).isEqualTo(30_000 * MS);
        assertThat(Ejector.ejectionNanos(o, 31)).isEqualTo(30_000 * MS);
        assertThat(Ejector.ejectionNanos(o, 1_000)).isEqualTo(30_000 * MS);
    }

    @Test
    void anEjectedEndpointReturnsOnlyAfterItsTimeAndAPassedProbeThenNextTimeStaysOutLonger() {
        Harness h = new Harness(cluster("c", DEFAULTS, endpoint("a", 1), endpoint("b", 1)));
        EndpointState a = h.endpoint("a");

        h.health.connectFailed(a, false);
        h.control.advanceMillis(999);
        assertThat(h.prober.pending).isEmpty();
        h.control.advanceMillis(1);
        assertThat(h.prober.pending).extracting(FakeProber.Pending::endpoint).containsExactly(a);
        assertThat(a.status()).as("out until the probe answers").isEqualTo(EndpointStatus.EJECTED);

        h.prober.answer(true);
        assertThat(a.status()).isEqualTo(EndpointStatus.HEALTHY);
        assertThat(a.health().inSlowStart(h.clock.nanoTime(), h.cluster("c").config().slowStart())).isTrue();
        assertThat(h.health.events()).last().satisfies(e -> {
            assertThat(e.to()).isEqualTo(EndpointStatus.HEALTHY);
            assertThat(e.detectionNanos()).isEqualTo(-1);
        });

        h.health.connectFailed(a, false);
        h.control.advanceMillis(1_999);
        assertThat(h.prober.pending).isEmpty();
        h.control.advanceMillis(1);
        assertThat(h.prober.pending).hasSize(1);
    }

    @Test
    void aFailedProbeKeepsTheEndpointOutForAnotherLongerPeriod() {
        Harness h = new Harness(cluster("c", DEFAULTS, endpoint("a", 1), endpoint("b", 1)));
        EndpointState a = h.endpoint("a");
        h.health.connectFailed(a, false);
        h.control.advanceMillis(1_000);

        h.prober.answer(false);

        assertThat(a.status()).isEqualTo(EndpointStatus.EJECTED);
        assertThat(a.health().ejectionCount()).isEqualTo(2);
        h.control.advanceMillis(1_999);
        assertThat(h.prober.pending).isEmpty();
        h.control.advanceMillis(1);
        h.prober.answer(true);
        assertThat(a.status()).isEqualTo(EndpointStatus.HEALTHY);
        assertThat(h.health.events()).extracting(HealthEvent::to)
                .containsExactly(EndpointStatus.EJECTED, EndpointStatus.HEALTHY);
    }

    @Test
    void atMostMaxEjectionPercentOfTheClusterIsEjected() {
        Harness h = new Harness(cluster("c", DEFAULTS, endpoint("a", 1), endpoint("b", 1), endpoint("d", 1),
                endpoint("e", 1)));

        h.health.connectFailed(h.endpoint("a"), false);
        h.health.connectFailed(h.endpoint("b"), false);
        h.health.connectFailed(h.endpoint("d"), false);
        h.health.connectFailed(h.endpoint("d"), false);

        assertThat(h.endpoint("a").status()).isEqualTo(EndpointStatus.EJECTED);
        assertThat(h.endpoint("b").status()).isEqualTo(EndpointStatus.EJECTED);
        assertThat(h.endpoint("d").status()).isEqualTo(EndpointStatus.HEALTHY);
        assertThat(h.picks("c", 100)).containsOnly("d", "e");
    }

    @Test
    void aRefusedEjectionIsRetriedByTheNextRunOnceRoomIsMade() {
        Harness h = new Harness(cluster("c", DEFAULTS, endpoint("a", 1), endpoint("b", 1)));
        h.health.connectFailed(h.endpoint("a"), false);
        h.health.connectFailed(h.endpoint("b"), false);
        assertThat(h.endpoint("b").status()).isEqualTo(EndpointStatus.HEALTHY);

        h.control.advanceMillis(1_000);
        h.prober.answer(true);
        h.health.connectFailed(h.endpoint("b"), false);

        assertThat(h.endpoint("b").status()).isEqualTo(EndpointStatus.EJECTED);
    }

    @Test
    void theLastEndpointServingIsNeverEjectedUnlessOneMayAlwaysGo() {
        Harness single = new Harness(cluster("c", outlier(1, 5, 100, false), endpoint("a", 1)));
        single.health.connectFailed(single.endpoint("a"), false);
        assertThat(single.endpoint("a").status()).isEqualTo(EndpointStatus.HEALTHY);

        Harness othersDown = new Harness(cluster("c", outlier(1, 5, 100, false), endpoint("a", 1),
                endpoint("b", 1)));
        othersDown.health.checkedUnhealthy(othersDown.endpoint("b"), "timeout");
        othersDown.health.connectFailed(othersDown.endpoint("a"), false);
        assertThat(othersDown.endpoint("a").status()).isEqualTo(EndpointStatus.HEALTHY);

        Harness alwaysOne = new Harness(cluster("c", outlier(1, 5, 50, true), endpoint("a", 1)));
        alwaysOne.health.connectFailed(alwaysOne.endpoint("a"), false);
        assertThat(alwaysOne.endpoint("a").status()).isEqualTo(EndpointStatus.EJECTED);
    }

    @Test
    void failurePercentageEjectsOnlyWithTheMinimumVolume() {
        OutlierConfig o = new OutlierConfig(0, 0, new OutlierConfig.FailureRateConfig(50, 20, Duration.ofSeconds(10)),
                null, Duration.ofSeconds(1), Duration.ofSeconds(30), 50, false);
        Harness h = new Harness(cluster("c", o, endpoint("a", 1), endpoint("b", 1)));
        EndpointState a = h.endpoint("a");

        for (int i = 0; i < 10; i++) {
            h.health.responded(a, i < 8 ? 503 : 200, MS);
        }
        h.control.advanceMillis(1_000);
        assertThat(a.status()).as("8 of 10: under the minimum volume").isEqualTo(EndpointStatus.HEALTHY);

        for (int i = 0; i < 20; i++) {
            h.health.responded(a, i < 10 ? 200 : 503, MS);
            h.health.responded(h.endpoint("b"), 200, MS);
        }
        h.control.advanceMillis(999);
        assertThat(a.status()).as("judged at the bucket's end").isEqualTo(EndpointStatus.HEALTHY);
        h.control.advanceMillis(1);

        assertThat(a.status()).isEqualTo(EndpointStatus.EJECTED);
        assertThat(h.endpoint("b").status()).isEqualTo(EndpointStatus.HEALTHY);
        assertThat(h.health.events().get(0).cause()).isEqualTo("failure rate 60% of 30 requests");
    }

    @Test
    void oldFailuresSlideOutOfTheWindow() {
        OutlierConfig o = new OutlierConfig(0, 0, new OutlierConfig.FailureRateConfig(50, 20, Duration.ofSeconds(1)),
                null, Duration.ofSeconds(1), Duration.ofSeconds(30), 50, false);
        Harness h = new Harness(cluster("c", o, endpoint("a", 1), endpoint("b", 1)));
        EndpointState a = h.endpoint("a");

        for (int i = 0; i < 15; i++) {
            h.health.responded(a, 503, MS);
        }
        h.control.advanceMillis(1_100);
        for (int i = 0; i < 15; i++) {
            h.health.responded(a, 503, MS);
        }
        h.control.advanceMillis(100);

        assertThat(a.status()).isEqualTo(EndpointStatus.HEALTHY);
    }

    @Test
    void aSlowEndpointIsDegradedThenRestoredByItsP99() {
        OutlierConfig o = new OutlierConfig(1, 5, null, new OutlierConfig.LatencyConfig(Duration.ofMillis(100), 50,
                Duration.ofSeconds(1), 25), Duration.ofSeconds(1), Duration.ofSeconds(30), 50, false);
        Harness h = new Harness(cluster("c", o, endpoint("a", 100), endpoint("b", 100)));
        EndpointState a = h.endpoint("a");

        for (int i = 0; i < 100; i++) {
            h.health.responded(a, 200, i < 99 ? 5 * MS : 250 * MS);
        }
        h.control.advanceMillis(1_000);
        assertThat(a.status()).as("p99 still fast").isEqualTo(EndpointStatus.HEALTHY);

        for (int i = 0; i < 100; i++) {
            h.health.responded(a, 200, i < 95 ? 5 * MS : 250 * MS);
        }
        h.control.advanceMillis(1_000);
        assertThat(a.status()).isEqualTo(EndpointStatus.DEGRADED);
        h.control.advanceMillis(20);
        assertThat(h.picks("c", 125).stream().filter("a"::equals).count()).isEqualTo(25);

        for (int i = 0; i < 10; i++) {
            h.health.responded(a, 200, MS);
        }
        h.control.advanceMillis(1_000);
        assertThat(a.status()).as("too few samples to judge").isEqualTo(EndpointStatus.DEGRADED);

        for (int i = 0; i < 60; i++) {
            h.health.responded(a, 200, MS);
        }
        h.control.advanceMillis(1_000);
        assertThat(a.status()).isEqualTo(EndpointStatus.HEALTHY);
        assertThat(h.health.events()).extracting(HealthEvent::to)
                .containsExactly(EndpointStatus.DEGRADED, EndpointStatus.HEALTHY);
        assertThat(h.health.events().get(0).cause()).startsWith("p99 2").contains("above 100 ms");
    }
}
