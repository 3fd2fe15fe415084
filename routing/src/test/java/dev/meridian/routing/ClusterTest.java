package dev.meridian.routing;

import static dev.meridian.routing.Fixtures.cluster;
import static dev.meridian.routing.Fixtures.context;
import static dev.meridian.routing.Fixtures.endpoint;
import static dev.meridian.routing.Fixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.ClusterConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterTest {

    @Test
    void picksInNginxSmoothOrder() {
        Cluster c = built(cluster("c", endpoint("a", 5), endpoint("b", 1), endpoint("c", 1)));
        PickContext ctx = context();

        assertThat(ids(c, ctx, 7)).containsExactly("a", "a", "b", "a", "c", "a", "a");
    }

    @Test
    void eachPickContextIsProportionalOnItsOwn() {
        Cluster c = built(cluster("c", endpoint("a", 300), endpoint("b", 100)));
        PickContext loop1 = context();
        PickContext loop2 = context();
        Map<String, Integer> counts1 = new HashMap<>();
        Map<String, Integer> counts2 = new HashMap<>();

        // Uneven interleaving between the loops, as real traffic would be.
        for (int round = 0; round < 1_000; round++) {
            for (int i = 0; i < 4; i++) {
                counts1.merge(c.pick(loop1).id(), 1, Integer::sum);
            }
            for (int i = 0; i < (round % 2 == 0 ? 4 : 8); i++) {
                counts2.merge(c.pick(loop2).id(), 1, Integer::sum);
            }
        }

        assertThat(counts1).containsExactlyInAnyOrderEntriesOf(Map.of("a", 3_000, "b", 1_000));
        assertThat(counts2).containsExactlyInAnyOrderEntriesOf(Map.of("a", 4_500, "b", 1_500));
    }

    @Test
    void neverPicksAnEndpointOfWeightZero() {
        Cluster c = built(cluster("c", endpoint("a", 0), endpoint("b", 2), endpoint("c", 0), endpoint("d", 1)));

        assertThat(ids(c, context(), 300)).containsOnly("b", "d");
        assertThat(c.endpoints()).extracting(EndpointState::id).containsExactly("a", "b", "c", "d");
    }

    @Test
    void picksOnlyTheLowestPriorityLevelWithWeight() {
        Cluster c = built(cluster("c", endpoint("standby", 100, 1), endpoint("zero", 0, 0),
                endpoint("primary", 10, 0)));

        assertThat(ids(c, context(), 50)).containsOnly("primary");
    }

    @Test
    void picksNullWhenNoEndpointCanTakeTraffic() {
        assertThat(built(cluster("c", endpoint("a", 0))).pick(context())).isNull();
        assertThat(built(cluster("c")).pick(context())).isNull();
    }

    @Test
    void pickingDoesNotCountTheRequestInFlight() {
        Cluster c = built(cluster("c", endpoint("a", 1)));

        EndpointState a = c.pick(context());

        assertThat(a.inFlight()).isZero();
        assertThat(a.requestsTotal()).isZero();
    }

    private static Cluster built(ClusterConfig config) {
        return table(config).cluster(config.name());
    }

    private static List<String> ids(Cluster c, PickContext ctx, int picks) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < picks; i++) {
            ids.add(c.pick(ctx).id());
        }
        return ids;
    }
}
