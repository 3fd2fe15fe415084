package dev.meridian.health;

import static dev.meridian.health.Harness.MS;
import static dev.meridian.health.Harness.cluster;
import static dev.meridian.health.Harness.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.OutlierConfig;
import dev.meridian.routing.AdminState;
import dev.meridian.routing.EndpointHealth;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.EndpointStatus;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.balance.EligibleSet;
import org.junit.jupiter.api.Test;

class EligibilityPublisherTest {
    private final Harness h = new Harness(cluster("c", OutlierConfig.DEFAULT, endpoint("a", 100), endpoint("b", 100),
            endpoint("d", 100), endpoint("e", 100)));
    private final EndpointState a = h.endpoint("a");

    @Test
    void aFailedActiveCheckRemovesTheEndpointAtOnce() {
        h.health.checkedUnhealthy(a, "2 timeouts");

        assertThat(a.status()).isEqualTo(EndpointStatus.UNHEALTHY);
        assertThat(h.picks("c", 300)).doesNotContain("a");
        assertThat(h.health.events()).singleElement().satisfies(e -> {
            assertThat(e.cause()).isEqualTo("active check: 2 timeouts");
            assertThat(e.detectionNanos()).isEqualTo(-1);
        });
    }

    @Test
    void aRecoveryIsPublishedWithinTheMergeWindowThenRampsUntilTheSlowStartEnds() {
        h.health.checkedUnhealthy(a, "down");
        h.control.advanceMillis(1_000);

        h.health.checkedHealthy(a, "2 passes");
        assertThat(a.status()).isEqualTo(EndpointStatus.HEALTHY);
        assertThat(weightOf("a")).as("not yet published").isZero();
        h.control.advanceMillis(19);
        assertThat(weightOf("a")).isZero();
        h.control.advanceMillis(1);
        assertThat(weightOf("a")).as("floor, 20 ms after it answered").isEqualTo(10);

        h.control.advanceMillis(230);
        assertThat(weightOf("a")).as("first ramp tick at 250 ms").isEqualTo(12);
        h.control.advanceMillis(4_750);
        assertThat(weightOf("a")).as("half way").isEqualTo(55);
        h.control.advanceMillis(5_000);
        assertThat(weightOf("a")).isEqualTo(100);

        EligibleSet done = h.cluster("c").eligibility().snapshot();
        h.control.advanceMillis(10_000);
        assertThat(h.cluster("c").eligibility().snapshot()).as("ramp over: nothing more to publish").isSameAs(done);
    }

    @Test
    void recoveriesInOneMergeWindowArePublishedTogether() {
        h.health.checkedUnhealthy(a, "down");
        h.health.checkedUnhealthy(h.endpoint("b"), "down");
        EligibleSet before = h.cluster("c").eligibility().snapshot();

        h.health.checkedHealthy(a, "up");
        h.control.advanceMillis(10);
        h.health.checkedHealthy(h.endpoint("b"), "up");
        assertThat(h.cluster("c").eligibility().snapshot()).isSameAs(before);
        h.control.advanceMillis(10);

        assertThat(h.cluster("c").eligibility().snapshot().members()).extracting(EndpointState::id)
                .containsExactly("a", "b", "d", "e");
    }

    @Test
    void aHealthyReportForAHealthyEndpointChangesNothing() {
        h.health.checkedHealthy(a, "first check");

        assertThat(h.health.events()).isEmpty();
        assertThat(a.health().inSlowStart(h.clock.nanoTime(), h.cluster("c").config().slowStart())).isFalse();
    }

    @Test
    void drainingAndMaintenanceLeaveRotationAtOnceAndActiveReturnsWithSlowStart() {
        assertThat(h.health.adminState("a", AdminState.DRAINING, "deploy")).isTrue();
        assertThat(h.picks("c", 100)).doesNotContain("a");
        h.health.adminState("b", AdminState.MAINTENANCE, "disk");
        assertThat(h.picks("c", 100)).containsOnly("d", "e");

        h.health.adminState("a", AdminState.ACTIVE, "deployed");
        h.control.advanceMillis(20);

        assertThat(weightOf("a")).isEqualTo(10);
        assertThat(h.health.events()).extracting(HealthEvent::to).containsExactly(EndpointStatus.DRAINING,
                EndpointStatus.MAINTENANCE, EndpointStatus.HEALTHY);
        assertThat(h.health.adminState("nope", AdminState.DRAINING, "x")).isFalse();
    }

    @Test
    void anAdminWeightReplacesTheConfiguredOneUntilCleared() {
        assertThat(h.health.weightOverride("a", 300, "canary")).isTrue();
        h.control.advanceMillis(20);
        assertThat(weightOf("a")).isEqualTo(300);

        h.health.weightOverride("a", 0, "out");
        h.control.advanceMillis(20);
        assertThat(h.picks("c", 100)).doesNotContain("a");

        h.health.weightOverride("a", EndpointHealth.NO_WEIGHT_OVERRIDE, "back");
        h.control.advanceMillis(20);
        assertThat(weightOf("a")).isEqualTo(100);
        assertThat(h.health.weightOverride("nope", 1, "x")).isFalse();
    }

    @Test
    void aNewTableIsRepublishedFromTheStatesItCarriesOver() {
        h.health.connectFailed(a, false);
        RoutingTable next = RoutingTable.build(h.ref.current().config(), h.ref.current(), h.clock.nanoTime());
        a.health().unEject();   // as if the change raced the build: the new table must still follow the state
        h.ref.publish(next);

        h.health.tableChanged(next);

        assertThat(h.picks("c", 400)).contains("a");
        assertThat(next.cluster("c").eligibility().snapshot().members()).hasSize(4);
    }

    private int weightOf(String id) {
        EligibleSet.Level level = h.cluster("c").eligibility().snapshot().levels().get(0);
        int i = level.members().indexOf(h.endpoint(id));
        return i < 0 ? 0 : level.weight(i);
    }
}
