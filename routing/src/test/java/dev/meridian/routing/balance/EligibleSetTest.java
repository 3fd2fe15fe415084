package dev.meridian.routing.balance;

import static dev.meridian.routing.Fixtures.cluster;
import static dev.meridian.routing.Fixtures.endpoint;
import static dev.meridian.routing.Fixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.ClusterConfig;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class EligibleSetTest {

    @Test
    void onlyTheLowestPriorityLevelWithWeightIsEligible() {
        Cluster c = built(cluster("c",
                endpoint("p0-zero", 0, 0),
                endpoint("p1-a", 5, 1),
                endpoint("p2-a", 7, 2),
                endpoint("p1-b", 1, 1),
                endpoint("p1-zero", 0, 1)));

        EligibleSet set = c.eligibility().snapshot();

        assertThat(set.priority()).isEqualTo(1);
        assertThat(set.members()).extracting(EndpointState::id).containsExactly("p1-a", "p1-b");
    }

    @Test
    void primariesWinWhenTheyHaveWeight() {
        Cluster c = built(cluster("c", endpoint("backup", 100, 1), endpoint("primary", 1, 0)));

        assertThat(c.eligibility().snapshot().members()).extracting(EndpointState::id).containsExactly("primary");
    }

    @Test
    void noWeightAnywhereIsTheEmptySet() {
        Cluster c = built(cluster("c", endpoint("a", 0, 0), endpoint("b", 0, 3)));

        assertThat(c.eligibility().snapshot()).isSameAs(EligibleSet.EMPTY);
        assertThat(EligibleSet.EMPTY.pick(Fixtures.context(), 0)).isNull();
        assertThat(EligibleSet.EMPTY.priority()).isEqualTo(-1);
    }

    @Test
    void setsWithTheSameMembersAndWeightsAreTheSame() {
        ClusterConfig config = cluster("c", endpoint("a", 2), endpoint("b", 1));
        Cluster c = built(config);
        EligibleSet set = c.eligibility().snapshot();

        assertThat(EligibleSet.of(c.endpoints(), config, 0).sameMembersAs(set)).isTrue();
        assertThat(EligibleSet.of(c.endpoints(), cluster("c", endpoint("a", 2), endpoint("b", 2)), 0)
                .sameMembersAs(set)).isFalse();
        assertThat(EligibleSet.of(List.of(c.endpoints().get(0)), cluster("c", endpoint("a", 2)), 0)
                .sameMembersAs(set)).isFalse();
    }

    private static Cluster built(ClusterConfig config) {
        return table(config).cluster(config.name());
    }
}
