package dev.meridian.health;

import static dev.meridian.health.Harness.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.FailoverConfig;
import dev.meridian.config.FailoverGuard;
import dev.meridian.config.FailoverStrategy;
import dev.meridian.config.FailoverTrigger;
import dev.meridian.config.HealthCheckConfig;
import dev.meridian.config.OutlierConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.config.PriorityConfig;
import dev.meridian.config.SlowStartConfig;
import dev.meridian.config.StatusThresholds;
import dev.meridian.config.TrafficSelector;
import dev.meridian.health.failover.FailoverController;
import dev.meridian.health.failover.ShiftState;
import dev.meridian.health.failover.ShiftStep;
import dev.meridian.health.failover.ShiftView;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.balance.EligibleSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FailoverControllerTest {
    private static final TrafficSelector EU = TrafficSelector.region("eu");
    private static final TrafficSelector US = TrafficSelector.region("us");

    private final Harness h = new Harness(cluster(List.of(), endpoint("eu-1", 100, "eu"), endpoint("eu-2", 100, "eu"),
            endpoint("eu-3", 100, "eu"), endpoint("us-1", 100, "us")));
    private final FailoverController failovers = h.health.failovers();

    @Test
    void gradualMovesStepByStepHoldingEachThenCompletes() {
        ShiftView s = failovers.start("c", spec(FailoverStrategy.GRADUAL).withSteps(List.of(10, 50, 100)), "test");

        assertThat(s.state()).isEqualTo(ShiftState.RUNNING);
        assertThat(s.percent()).isEqualTo(10);
        assertThat(share("us-1")).isCloseTo(0.25 + 0.075, within());
        h.control.advanceMillis(999);
        assertThat(view(s).percent()).isEqualTo(10);
        h.control.advanceMillis(1);
        assertThat(view(s).percent()).isEqualTo(50);
        h.control.advanceMillis(1_000);
        assertThat(view(s).percent()).isEqualTo(100);
        assertThat(share("us-1")).isEqualTo(1.0);
        h.control.advanceMillis(1_000);

        ShiftView done = view(s);
        assertThat(done.state()).isEqualTo(ShiftState.COMPLETED);
        assertThat(done.steps()).extracting(ShiftStep::percent).containsExactly(0.0, 10.0, 50.0, 100.0);
        assertThat(done.steps()).extracting(ShiftStep::sinceStartMillis).containsExactly(0L, 0L, 1_000L, 2_000L);
        assertThat(done.endReason()).startsWith("completed");
        assertThat(share("us-1")).as("the traffic stays moved").isEqualTo(1.0);
        assertThat(h.health.events()).extracting(HealthEvent::cause).anySatisfy(c -> assertThat(c)
                .contains("failover 1 (gradual region eu -> region us) completed"));
    }

    @Test
    void canaryStartsAtFivePercentThenGoesGradual() {
        ShiftView s = failovers.start("c", spec(FailoverStrategy.CANARY), "test");

        assertThat(s.plan()).containsExactly(5.0, 10.0, 25.0, 50.0, 75.0, 100.0);
        assertThat(s.percent()).isEqualTo(5);
        h.control.advanceMillis(1_000);
        assertThat(view(s).percent()).isEqualTo(10);
    }

    @Test
    void immediateMovesEverythingAtOnceAndStaysUnderGuardForOneHold() {
        ShiftView s = failovers.start("c", spec(FailoverStrategy.IMMEDIATE), "test");

        assertThat(s.percent()).isEqualTo(100);
        assertThat(s.state()).isEqualTo(ShiftState.RUNNING);
        h.control.advanceMillis(1_000);
        assertThat(view(s).state()).isEqualTo(ShiftState.COMPLETED);
    }

    @Test
    void blueGreenFlipsAtOnceAndAbortFlipsBackAtOnce() {
        EligibleSet before = h.cluster("c").eligibility().snapshot();
        ShiftView s = failovers.start("c", FailoverConfig.of(TrafficSelector.endpoints(List.of("eu-1", "eu-2")),
                TrafficSelector.endpoints(List.of("eu-3", "us-1")), FailoverStrategy.BLUE_GREEN), "deploy");

        assertThat(h.picks("c", 100)).containsOnly("eu-3", "us-1");
        h.control.advanceMillis(60_000);
        assertThat(view(s).state()).isEqualTo(ShiftState.COMPLETED);

        ShiftView back = failovers.abort(s.id(), "operator");

        assertThat(back.state()).isEqualTo(ShiftState.ABORTED);
        assertThat(back.percent()).isZero();
        assertThat(h.cluster("c").eligibility().snapshot().sameMembersAs(before)).isTrue();
        assertThat(h.picks("c", 100)).contains("eu-1", "eu-2", "eu-3", "us-1");
    }

    @Test
    void rollingMovesOneSourceEndpointAtATimeInConfigOrder() {
        ShiftView s = failovers.start("c", spec(FailoverStrategy.ROLLING), "test");

        assertThat(s.plan()).hasSize(3);
        assertThat(h.picks("c", 300)).doesNotContain("eu-1").contains("eu-2", "eu-3");
        h.control.advanceMillis(1_000);
        assertThat(h.picks("c", 300)).doesNotContain("eu-1", "eu-2").contains("eu-3");
        h.control.advanceMillis(1_000);
        assertThat(h.picks("c", 300)).containsOnly("us-1");
    }

    @Test
    void theTargetsErrorRateRollsTheShiftBackWithTheReasonRecorded() {
        EligibleSet before = h.cluster("c").eligibility().snapshot();
        ShiftView s = failovers.start("c", spec(FailoverStrategy.CANARY), "test");
        EndpointState us = h.endpoint("us-1");

        for (int i = 0; i < 30; i++) {
            us.requestStarted();
            us.errorRate().record(i % 2 == 0, h.clock.nanoTime());
            us.requestEnded();
        }
        h.control.advanceMillis(100);

        ShiftView rolledBack = view(s);
        assertThat(rolledBack.state()).isEqualTo(ShiftState.ROLLED_BACK);
        assertThat(rolledBack.percent()).isZero();
        assertThat(rolledBack.endReason()).contains("rolled back by its guard at 5%: target error rate")
                .contains("over 5%");
        assertThat(h.cluster("c").eligibility().snapshot().sameMembersAs(before)).isTrue();
        assertThat(h.health.events()).last().satisfies(e -> {
            assertThat(e.isTransition()).isFalse();
            assertThat(e.endpoint()).isEqualTo("failover 1");
            assertThat(e.cause()).contains("canary region eu -> region us").contains("rolled back by its guard");
            assertThat(e.toJson()).contains("\"kind\":\"failover\"");
        });
        h.control.advanceMillis(10_000);
        assertThat(view(s).steps()).last().extracting(ShiftStep::percent).isEqualTo(0.0);
    }

    @Test
    void theTargetsP99AboveItsLimitRollsBack() {
        ShiftView s = failovers.start("c", spec(FailoverStrategy.GRADUAL)
                .withGuard(new FailoverGuard(5, Duration.ofMillis(300))), "test");
        h.endpoint("us-1").recentP99Nanos(450 * Harness.MS);

        h.control.advanceMillis(100);

        assertThat(view(s).endReason()).contains("target p99 450 ms over 300 ms (baseline 0 ms)");
    }

    @Test
    void aTargetLeavingRotationRollsBack() {
        ShiftView s = failovers.start("c", spec(FailoverStrategy.GRADUAL), "test");

        h.health.checkedUnhealthy(h.endpoint("us-1"), "down");
        h.control.advanceMillis(100);

        assertThat(view(s).endReason()).contains("no target endpoint takes traffic ([us-1 UNHEALTHY])");
    }

    @Test
    void aBaselineAlreadyWorseThanTheLimitIsTheLimit() {
        h.endpoint("us-1").recentP99Nanos(2_000 * Harness.MS);
        ShiftView s = failovers.start("c", spec(FailoverStrategy.GRADUAL), "test");

        h.control.advanceMillis(500);
        assertThat(view(s).state()).isEqualTo(ShiftState.RUNNING);
        assertThat(view(s).baselineP99Millis()).isEqualTo(2_000);

        h.endpoint("us-1").recentP99Nanos(2_500 * Harness.MS);
        h.control.advanceMillis(100);
        assertThat(view(s).state()).isEqualTo(ShiftState.ROLLED_BACK);
    }

    @Test
    void theShiftRateSplitsAStepIntoIncrementsAQuarterSecondApart() {
        ShiftView s = failovers.start("c", spec(FailoverStrategy.IMMEDIATE).withMaxShiftRate(20), "test");

        assertThat(s.percent()).isEqualTo(5);
        h.control.advanceMillis(250);
        assertThat(view(s).percent()).isEqualTo(10);
        h.control.advanceMillis(4_500);
        assertThat(view(s).percent()).isEqualTo(100);

        List<Double> applied = view(s).steps().stream().map(ShiftStep::percent).toList();
        assertThat(applied).hasSize(21);
        for (int i = 1; i < applied.size(); i++) {
            assertThat(applied.get(i) - applied.get(i - 1)).isLessThanOrEqualTo(5.0);
        }
        assertThat(view(s).steps()).last().extracting(ShiftStep::sinceStartMillis).isEqualTo(4_750L);
    }

    @Test
    void pauseHoldsResumeGoesOnAndAbortRollsBack() {
        ShiftView s = failovers.start("c", spec(FailoverStrategy.GRADUAL).withSteps(List.of(10, 50, 100)), "test");
        h.control.advanceMillis(500);

        assertThat(failovers.pause(s.id()).state()).isEqualTo(ShiftState.PAUSED);
        h.control.advanceMillis(5_000);
        assertThat(view(s).percent()).isEqualTo(10);

        failovers.resume(s.id());
        h.control.advanceMillis(999);
        assertThat(view(s).percent()).as("a hold starts over on resume").isEqualTo(10);
        h.control.advanceMillis(1);
        assertThat(view(s).percent()).isEqualTo(50);

        ShiftView aborted = failovers.abort(s.id(), "admin");
        assertThat(aborted.state()).isEqualTo(ShiftState.ABORTED);
        assertThat(aborted.endReason()).isEqualTo("aborted by admin at 50%");
        assertThat(h.picks("c", 400)).contains("eu-1", "eu-2", "eu-3");
        h.control.advanceMillis(10_000);
        assertThat(view(s).percent()).isZero();
        assertThatThrownBy(() -> failovers.abort(s.id(), "admin")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already ended");
        assertThatThrownBy(() -> failovers.resume(s.id())).hasMessageContaining("not paused");
    }

    @Test
    void oneShiftPerClusterAndSidesMustNameItsEndpoints() {
        failovers.start("c", spec(FailoverStrategy.GRADUAL), "test");

        assertThatThrownBy(() -> failovers.start("c", spec(FailoverStrategy.GRADUAL), "again"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has failover 1");
        assertThatThrownBy(() -> failovers.start("nope", spec(FailoverStrategy.GRADUAL), "x"))
                .hasMessageContaining("no cluster named 'nope'");
        assertThatThrownBy(() -> failovers.abort(7, "x")).hasMessageContaining("no failover 7");
        failovers.abort(1, "test");
        assertThatThrownBy(() -> failovers.start("c", FailoverConfig.of(EU,
                TrafficSelector.endpoints(List.of("us-9")), FailoverStrategy.IMMEDIATE), "x"))
                .hasMessageContaining("names endpoints [us-9] that cluster 'c' does not have");
        assertThatThrownBy(() -> failovers.start("c", FailoverConfig.of(EU,
                TrafficSelector.endpoints(List.of("eu-1")), FailoverStrategy.IMMEDIATE), "x"))
                .hasMessageContaining("share endpoints [eu-1]");
        assertThat(failovers.list()).extracting(ShiftView::id).containsExactly(1);
    }

    @Test
    void aDeclaredFailoverStartsWhenItsSourceRegionFails() {
        FailoverConfig declared = spec(FailoverStrategy.GRADUAL).withTrigger(FailoverTrigger.FAILED);
        Harness yaml = new Harness(cluster(List.of(declared), endpoint("eu-1", 100, "eu"), endpoint("eu-2", 100, "eu"),
                endpoint("eu-3", 100, "eu"), endpoint("eu-4", 100, "eu"), endpoint("us-1", 100, "us")));
        yaml.control.advanceMillis(1_000);
        assertThat(yaml.health.failovers().list()).isEmpty();

        yaml.health.checkedUnhealthy(yaml.endpoint("eu-1"), "down");
        yaml.control.advanceMillis(1_000);
        assertThat(yaml.health.failovers().list()).as("75%% healthy is CRITICAL, not FAILED").isEmpty();
        yaml.health.checkedUnhealthy(yaml.endpoint("eu-2"), "down");
        yaml.health.checkedUnhealthy(yaml.endpoint("eu-3"), "down");
        yaml.control.advanceMillis(500);

        assertThat(yaml.health.failovers().list()).singleElement().satisfies(v -> {
            assertThat(v.cause()).isEqualTo("trigger: region eu failed");
            assertThat(v.state()).isEqualTo(ShiftState.RUNNING);
            assertThat(v.sources()).containsExactly("eu-1", "eu-2", "eu-3", "eu-4");
        });
        yaml.control.advanceMillis(10_000);
        assertThat(yaml.health.failovers().list()).as("once per fall").hasSize(1);
    }

    private ShiftView view(ShiftView s) {
        return failovers.get(s.id());
    }

    /** The share of picks the endpoint gets, from the published set. */
    private double share(String id) {
        Map<String, Double> shares = h.cluster("c").eligibility().snapshot().levels().stream()
                .flatMap(l -> {
                    long total = 0;
                    for (int i = 0; i < l.members().size(); i++) {
                        total += l.weight(i);
                    }
                    long sum = total;
                    return java.util.stream.IntStream.range(0, l.members().size()).mapToObj(i -> Map.entry(
                            l.members().get(i).id(), l.loadPercent() / 100.0 * l.weight(i) / sum));
                }).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        return shares.getOrDefault(id, 0.0);
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(0.001);
    }

    private static FailoverConfig spec(FailoverStrategy strategy) {
        return FailoverConfig.of(EU, US, strategy).withHold(Duration.ofSeconds(1));
    }

    private static ClusterConfig cluster(List<FailoverConfig> failover, EndpointConfig... endpoints) {
        return new ClusterConfig("c", Policy.WEIGHTED, PoolConfig.DEFAULT, List.of(endpoints),
                HealthCheckConfig.httpDefaults(), OutlierConfig.DEFAULT, new SlowStartConfig(Duration.ZERO, 10),
                PriorityConfig.DEFAULT, StatusThresholds.DEFAULT, null, null, null, failover);
    }

}
