package dev.meridian.routing.balance;

import static dev.meridian.routing.Fixtures.cluster;
import static dev.meridian.routing.Fixtures.endpoint;
import static dev.meridian.routing.Fixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.ClusterConfig;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.TrafficShift;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShiftedLoadTest {

    @Test
    void withinALevelTheSourceHandsItsFractionToTheTargetAndOthersKeepTheirShare() {
        Cluster c = built(cluster("c", endpoint("a", 100), endpoint("b", 100), endpoint("t", 100)));
        shift(c, "a", TrafficShift.source(0.5));
        shift(c, "t", TrafficShift.TARGET);

        EligibleSet set = c.republish(0);

        assertThat(weights(set)).containsExactly(Map.entry("a", 1667), Map.entry("b", 3333), Map.entry("t", 5000));
    }

    @Test
    void betweenLevelsTheTargetLevelTakesExactlyWhatTheSourceLevelGivesUp() {
        Cluster c = built(cluster("c", endpoint("a", 100, 0), endpoint("b", 300, 1), endpoint("d", 100, 1)));
        shift(c, "a", TrafficShift.source(0.25));
        shift(c, "b", TrafficShift.TARGET);
        shift(c, "d", TrafficShift.TARGET);

        EligibleSet set = c.republish(0);

        assertThat(set.levels()).extracting(EligibleSet.Level::loadPercent).containsExactly(75, 25);
        assertThat(weights(set)).containsEntry("b", 7500).containsEntry("d", 2500);

        shift(c, "a", TrafficShift.source(1));
        set = c.republish(0);
        assertThat(set.levels()).extracting(EligibleSet.Level::priority).containsExactly(1);
        assertThat(set.levels().get(0).loadPercent()).isEqualTo(100);
        assertThat(set.spares()).isEmpty();
    }

    @Test
    void aFullyShiftedSourceLeavesTheTableAndAnUnshiftedOneKeepsItsShare() {
        Cluster c = built(cluster("c", endpoint("a1", 100), endpoint("a2", 100), endpoint("t", 100)));
        shift(c, "a1", TrafficShift.source(1));
        shift(c, "a2", TrafficShift.source(0));
        shift(c, "t", TrafficShift.TARGET);

        assertThat(weights(c.republish(0))).containsExactly(Map.entry("a2", 3333), Map.entry("t", 6667));
    }

    @Test
    void noTargetTakingTrafficLeavesTheSetAsItWas() {
        ClusterConfig config = cluster("c", endpoint("a", 100, 0), endpoint("t", 0, 1));
        Cluster c = built(config);
        EligibleSet before = c.eligibility().snapshot();
        shift(c, "a", TrafficShift.source(0.5));
        shift(c, "t", TrafficShift.TARGET);

        assertThat(c.republish(0)).isSameAs(before);
    }

    @Test
    void clearingTheShiftRestoresTheConfiguredShares() {
        Cluster c = built(cluster("c", endpoint("a", 100, 0), endpoint("b", 100, 1)));
        EligibleSet before = c.eligibility().snapshot();
        shift(c, "a", TrafficShift.source(0.5));
        shift(c, "b", TrafficShift.TARGET);
        assertThat(c.republish(0).sameMembersAs(before)).isFalse();

        shift(c, "a", null);
        shift(c, "b", null);

        assertThat(c.republish(0).sameMembersAs(before)).isTrue();
    }

    @Test
    void wholePercentsSumToAHundredGivingTheRestToTheLargestRemainders() {
        assertThat(ShiftedLoad.wholePercents(new double[] {1, 1, 1})).containsExactly(34, 33, 33);
        assertThat(ShiftedLoad.wholePercents(new double[] {0.954, 0.046})).containsExactly(95, 5);
        assertThat(ShiftedLoad.wholePercents(new double[] {0, 0})).containsExactly(0, 0);
    }

    private static void shift(Cluster c, String id, TrafficShift shift) {
        c.endpoints().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow().health().shift(shift);
    }

    private static Map<String, Integer> weights(EligibleSet set) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (EligibleSet.Level l : set.levels()) {
            for (int i = 0; i < l.members().size(); i++) {
                EndpointState e = l.members().get(i);
                out.put(e.id(), l.weight(i));
            }
        }
        return out;
    }

    private static Cluster built(ClusterConfig config) {
        return table(config).cluster(config.name());
    }
}
