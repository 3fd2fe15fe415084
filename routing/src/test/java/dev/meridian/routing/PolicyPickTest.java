package dev.meridian.routing;

import static dev.meridian.routing.Fixtures.config;
import static dev.meridian.routing.Fixtures.endpoint;
import static dev.meridian.routing.Fixtures.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.config.RouteMatch;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The random, least_request and latency policies on whole clusters, with seeded randomness and a fake clock. */
class PolicyPickTest {
    private static final long MS = 1_000_000L;

    @Test
    void randomGivesEachEndpointItsWeightedShareWithinOnePercent() {
        Cluster c = built(Policy.RANDOM, endpoint("a", 1), endpoint("b", 2), endpoint("c", 3), endpoint("d", 4));
        int picks = 1_000_000;

        Map<String, Integer> counts = counts(c, new PickContext(new SplittableRandom(7), () -> 0L), picks);

        Map<String, Integer> weights = Map.of("a", 1, "b", 2, "c", 3, "d", 4);
        weights.forEach((id, w) -> assertThat((double) counts.get(id))
                .as("picks of %s", id).isCloseTo(picks * w / 10.0, withinPercentage(1)));
    }

    @Test
    void leastRequestAvoidsTheEndpointWithMoreInFlight() {
        Cluster c = built(Policy.LEAST_REQUEST, endpoint("a", 1), endpoint("b", 1), endpoint("c", 1));
        EndpointState busy = c.endpoints().get(0);
        for (int i = 0; i < 5; i++) {
            busy.requestStarted();
        }

        Map<String, Integer> counts = counts(c, new PickContext(new SplittableRandom(3), () -> 0L), 30_000);

        assertThat(counts).doesNotContainKey("a");
        assertThat(counts.get("b")).isBetween(14_000, 16_000);
    }

    @Test
    void leastRequestFavoursWeightWhenNothingIsInFlight() {
        Cluster c = built(Policy.LEAST_REQUEST, endpoint("a", 3), endpoint("b", 1), endpoint("c", 1));

        Map<String, Integer> counts = counts(c, new PickContext(new SplittableRandom(3), () -> 0L), 30_000);

        // a wins every pair it is drawn into: two pairs of three.
        assertThat(counts.get("a")).isBetween(19_000, 21_000);
    }

    @Test
    void latencySendsUnderTenPercentToAnEndpointFiveTimesSlower() {
        Cluster c = built(Policy.LATENCY, endpoint("a", 1), endpoint("b", 1), endpoint("c", 1), endpoint("d", 1));
        long[] now = {0};
        for (EndpointState e : c.endpoints()) {
            e.latency().observe(e.id().equals("d") ? 50 * MS : 10 * MS, 0);
        }
        PickContext ctx = new PickContext(new SplittableRandom(11), () -> now[0]);
        int picks = 100_000;
        int slow = 0;
        for (int i = 0; i < picks; i++) {
            now[0] += 10_000;
            EndpointState e = c.pick(ctx);
            // Keep load moving: a picked endpoint holds one request until the next pick ends it.
            e.requestStarted();
            if (e.id().equals("d")) {
                slow++;
            }
            e.latency().observe(e.id().equals("d") ? 50 * MS : 10 * MS, now[0]);
            e.requestEnded();
        }

        assertThat(slow).isLessThan(picks / 10);
    }

    @Test
    void latencyWeighsInFlightSoAFastEndpointIsNotFlooded() {
        Cluster c = built(Policy.LATENCY, endpoint("a", 1), endpoint("b", 1));
        EndpointState a = c.endpoints().get(0);
        EndpointState b = c.endpoints().get(1);
        a.latency().observe(10 * MS, 0);
        b.latency().observe(30 * MS, 0);
        for (int i = 0; i < 3; i++) {
            a.requestStarted();
        }

        assertThat(c.pick(new PickContext(new SplittableRandom(1), () -> 0L))).isSameAs(b);
    }

    @Test
    void aNewEndpointIsNotTheCheapestChoiceUntilItAnswers() {
        Cluster c = built(Policy.LATENCY, endpoint("old", 1), endpoint("new", 1));
        c.endpoints().get(0).latency().observe(10 * MS, 0);

        assertThat(c.pick(new PickContext(new SplittableRandom(1), () -> 0L)).id()).isEqualTo("old");
    }

    static Cluster built(Policy policy, EndpointConfig... endpoints) {
        ClusterConfig config = new ClusterConfig("c", policy, PoolConfig.DEFAULT, List.of(endpoints));
        return RoutingTable.build(config(List.of(config), List.of(route("all", RouteMatch.ANY, "c"))), null, 0)
                .cluster("c");
    }

    private static Map<String, Integer> counts(Cluster c, PickContext ctx, int picks) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(c.pick(ctx).id(), 1, Integer::sum);
        }
        return counts;
    }
}
