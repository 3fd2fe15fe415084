package dev.meridian.routing;

import static dev.meridian.routing.Fixtures.cluster;
import static dev.meridian.routing.Fixtures.config;
import static dev.meridian.routing.Fixtures.context;
import static dev.meridian.routing.Fixtures.endpoint;
import static dev.meridian.routing.Fixtures.route;
import static dev.meridian.routing.Fixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.config.PriorityConfig;
import dev.meridian.config.RouteMatch;
import dev.meridian.routing.balance.EligibleSet;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Status, priority spill-over and panic as the picker sees them: exact counts over whole ticket cycles. */
class ClusterEligibilityTest {

    @Test
    void anEjectedEndpointLeavesRotationAtTheNextRepublish() {
        Cluster c = built(cluster("c", endpoint("a", 1), endpoint("b", 1), endpoint("d", 1)));
        c.endpoints().get(1).health().eject();

        assertThat(counts(c, 300)).as("not yet republished").isEqualTo(Map.of("a", 100, "b", 100, "d", 100));
        c.republish(0);
        assertThat(counts(c, 300)).isEqualTo(Map.of("a", 150, "d", 150));
    }

    @Test
    void aDegradedEndpointKeepsAQuarterOfItsWeight() {
        Cluster c = built(cluster("c", endpoint("a", 100), endpoint("b", 100)));
        c.endpoints().get(0).health().degraded(true);
        c.republish(0);

        assertThat(counts(c, 1_000)).isEqualTo(Map.of("a", 200, "b", 800));
    }

    @Test
    void aSlowStartingEndpointTakesItsRampedShare() {
        Cluster c = built(cluster("c", endpoint("a", 100), endpoint("b", 100)));
        c.endpoints().get(0).health().startSlowStart(0);

        c.republish(0);
        assertThat(counts(c, 1_100)).isEqualTo(Map.of("a", 100, "b", 1_000));
        c.republish(5_000_000_000L);
        assertThat(counts(c, 1_550)).isEqualTo(Map.of("a", 550, "b", 1_000));
        c.republish(10_000_000_000L);
        assertThat(counts(c, 200)).isEqualTo(Map.of("a", 100, "b", 100));
    }

    @Test
    void aLevel72PercentHealthyKeepsAllItsLoad() {
        Cluster c = built(cluster("c", endpoint("a", 72, 0), endpoint("b", 28, 0), endpoint("s", 100, 1)));
        c.endpoints().get(1).health().eject();
        c.republish(0);

        assertThat(counts(c, 1_000)).isEqualTo(Map.of("a", 1_000));
        assertThat(c.eligibility().snapshot().levels()).singleElement()
                .satisfies(l -> assertThat(l.loadPercent()).isEqualTo(100));
    }

    @Test
    void aLevelHalfHealthyKeeps70PercentAndSpills30() {
        Cluster c = built(cluster("c", endpoint("a", 50, 0), endpoint("b", 50, 0),
                endpoint("s1", 100, 1), endpoint("s2", 100, 1)));
        c.endpoints().get(1).health().checkFailing(true);
        c.republish(0);

        assertThat(counts(c, 1_000)).isEqualTo(Map.of("a", 700, "s1", 150, "s2", 150));
        EligibleSet set = c.eligibility().snapshot();
        assertThat(set.levels()).extracting(EligibleSet.Level::loadPercent).containsExactly(70, 30);
        assertThat(set.levels()).extracting(EligibleSet.Level::panic).containsExactly(false, false);
    }

    @Test
    void aFailedLevelSendsEverythingToTheNext() {
        Cluster c = built(cluster("c", endpoint("a", 1, 0), endpoint("b", 1, 0), endpoint("s", 1, 1)));
        c.endpoints().get(0).health().eject();
        c.endpoints().get(1).health().checkFailing(true);
        c.republish(0);

        assertThat(counts(c, 100)).isEqualTo(Map.of("s", 100));
        assertThat(c.eligibility().snapshot().priority()).isEqualTo(1);
    }

    @Test
    void belowThePanicThresholdALevelIgnoresHealthButNotAdminState() {
        Cluster c = built(cluster("c", endpoint("a", 1), endpoint("b", 1), endpoint("d", 1), endpoint("e", 1),
                endpoint("m", 1)));
        c.endpoints().get(1).health().eject();
        c.endpoints().get(2).health().checkFailing(true);
        c.endpoints().get(3).health().eject();
        c.endpoints().get(4).health().adminState(AdminState.MAINTENANCE);
        c.republish(0);

        assertThat(counts(c, 400)).isEqualTo(Map.of("a", 100, "b", 100, "d", 100, "e", 100));
        assertThat(c.eligibility().snapshot().levels().get(0).panic()).isTrue();
    }

    @Test
    void withPanicOffAClusterWithNothingHealthyPicksNothing() {
        Cluster c = built(withPriority(new PriorityConfig(1.4, 0), endpoint("a", 1), endpoint("b", 1)));
        c.endpoints().get(0).health().eject();
        c.endpoints().get(1).health().eject();
        c.republish(0);

        assertThat(c.pick(context())).isNull();
        assertThat(c.eligibility().snapshot().isEmpty()).isTrue();
    }

    @Test
    void withPanicOnAClusterWithNothingHealthyRoutesOverItsFirstLevel() {
        Cluster c = built(cluster("c", endpoint("a", 1, 0), endpoint("b", 1, 0), endpoint("s", 1, 1)));
        for (EndpointState s : c.endpoints()) {
            s.health().eject();
        }
        c.republish(0);

        assertThat(counts(c, 100)).isEqualTo(Map.of("a", 50, "b", 50));
    }

    @Test
    void drainingEndpointsNeverTakeNewRequestsEvenInPanic() {
        Cluster c = built(cluster("c", endpoint("a", 1), endpoint("b", 1)));
        for (EndpointState s : c.endpoints()) {
            s.health().adminState(AdminState.DRAINING);
        }
        c.republish(0);

        assertThat(c.pick(context())).isNull();
    }

    @Test
    void pickExcludingReturnsNullOnlyWhenTheStandbyWasTriedToo() {
        Cluster c = built(cluster("c", endpoint("a", 5), endpoint("s", 1, 1)));
        EndpointState[] all = c.endpoints().toArray(new EndpointState[0]);
        assertThat(c.pickExcluding(context(), all, 1).id()).isEqualTo("s");
        assertThat(c.pickExcluding(context(), all, 2)).isNull();
    }

    @Test
    void pickExcludingNeverReturnsATriedEndpoint() {
        Cluster c = built(cluster("c", endpoint("a", 5), endpoint("b", 1), endpoint("d", 1), endpoint("s", 1, 1)));
        PickContext ctx = context();
        EndpointState[] all = c.endpoints().toArray(new EndpointState[0]);

        for (int mask = 0; mask < 8; mask++) {
            EndpointState[] tried = new EndpointState[3];
            int n = 0;
            for (int i = 0; i < 3; i++) {
                if ((mask & (1 << i)) != 0) {
                    tried[n++] = all[i];
                }
            }
            for (int pick = 0; pick < 50; pick++) {
                EndpointState e = c.pickExcluding(ctx, tried, n);
                if (n == 3) {
                    // Every endpoint taking load was tried: the standby level is the last resort of a retry.
                    assertThat(e.id()).isEqualTo("s");
                } else {
                    assertThat(e).isNotNull().isNotIn((Object[]) Arrays.copyOf(tried, n));
                    assertThat(e.id()).isNotEqualTo("s");   // the standby level takes no load
                }
            }
        }
    }

    @Test
    void pickExcludingWithNothingTriedIsAnOrdinaryPick() {
        Cluster c = built(cluster("c", endpoint("a", 1), endpoint("b", 1)));

        assertThat(c.pickExcluding(context(), new EndpointState[0], 0).id()).isEqualTo("a");
    }

    @Test
    void aReloadKeepsEachEndpointsStatus() {
        ClusterConfig config = cluster("c", endpoint("a", 1), endpoint("b", 1), endpoint("d", 1), endpoint("e", 1));
        MeridianConfig mc = config(List.of(config), List.of(route("all", RouteMatch.ANY, "c")));
        RoutingTable t1 = RoutingTable.build(mc, null, 0);
        t1.endpoint("a").health().eject();
        t1.endpoint("b").health().adminState(AdminState.DRAINING);
        t1.cluster("c").republish(0);

        RoutingTable t2 = RoutingTable.build(mc, t1, 0);

        assertThat(t2.endpoint("a").status()).isEqualTo(EndpointStatus.EJECTED);
        assertThat(t2.endpoint("b").status()).isEqualTo(EndpointStatus.DRAINING);
        assertThat(t2.cluster("c").eligibility().snapshot().members()).extracting(EndpointState::id)
                .containsExactly("d", "e");
    }

    @Test
    void eachPriorityLevelHasItsOwnCursorSlot() {
        RoutingTable t = table(cluster("c", endpoint("a", 1, 0), endpoint("s", 1, 2)));

        assertThat(t.cursorSlots()).isEqualTo(3);
    }

    private static ClusterConfig withPriority(PriorityConfig priority, EndpointConfig... endpoints) {
        return new ClusterConfig("c", Policy.WEIGHTED, PoolConfig.DEFAULT, List.of(endpoints), null, null, null,
                priority, null, null);
    }

    private static Cluster built(ClusterConfig config) {
        return RoutingTable.build(config(List.of(config), List.of(route("all", RouteMatch.ANY, config.name()))),
                null, 0).cluster(config.name());
    }

    private static Map<String, Integer> counts(Cluster c, int picks) {
        PickContext ctx = context();
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(c.pick(ctx).id(), 1, Integer::sum);
        }
        return counts;
    }
}
