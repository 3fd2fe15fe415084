package dev.meridian.routing;

import static dev.meridian.routing.GeoFixtures.EU;
import static dev.meridian.routing.GeoFixtures.NEW_YORK;
import static dev.meridian.routing.GeoFixtures.PARIS;
import static dev.meridian.routing.GeoFixtures.US;
import static dev.meridian.routing.GeoFixtures.built;
import static dev.meridian.routing.GeoFixtures.endpoint;
import static dev.meridian.routing.GeoFixtures.geo;
import static dev.meridian.routing.GeoFixtures.score;
import static dev.meridian.routing.GeoFixtures.state;
import static dev.meridian.routing.GeoFixtures.within;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.Policy;
import dev.meridian.config.ScoreWeights;
import dev.meridian.routing.geo.ClientLocation;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The score policy: with every other figure equal, the endpoint better on one objective wins every pair. A fake
 * clock at 0 throughout, so latency estimates and error rates do not decay.
 */
class ScorePolicyTest {
    private static final long MS = 1_000_000L;

    @Test
    void prefersLowerLatency() {
        Cluster c = built(score(endpoint("a", EU), endpoint("b", EU), endpoint("c", EU)));
        state(c, "a").latency().observe(50 * MS, 0);
        state(c, "b").latency().observe(10 * MS, 0);
        state(c, "c").latency().observe(50 * MS, 0);

        Map<String, Integer> counts = counts(c, null, ScoreWeights.DEFAULT, 3_000);

        // b wins both pairs it is drawn into: two of three pairs.
        assertThat(counts.get("b")).isBetween(1_900, 2_100);
    }

    @Test
    void prefersLowerConfiguredCost() {
        Cluster c = built(score(endpoint("cheap", EU, 1, 0, 0, 1), endpoint("dear", EU, 1, 0, 0, 5)));

        assertThat(counts(c, null, ScoreWeights.DEFAULT, 100)).isEqualTo(Map.of("cheap", 100));
    }

    @Test
    void prefersFewerRequestsInFlight() {
        Cluster c = built(score(endpoint("a", EU), endpoint("b", EU)));
        state(c, "a").requestStarted();

        assertThat(counts(c, null, ScoreWeights.DEFAULT, 100)).isEqualTo(Map.of("b", 100));
    }

    @Test
    void prefersTheNearerRegionForALocatedClient() {
        Cluster c = built(score(endpoint("eu1", EU), endpoint("us1", US)));

        assertThat(counts(c, PARIS, ScoreWeights.DEFAULT, 100)).isEqualTo(Map.of("eu1", 100));
        assertThat(counts(c, NEW_YORK, ScoreWeights.DEFAULT, 100)).isEqualTo(Map.of("us1", 100));
    }

    @Test
    void distanceDoesNotCountForAClientOfUnknownLocation() {
        Cluster c = built(score(endpoint("eu1", EU), endpoint("us1", US)));

        Map<String, Integer> counts = counts(c, null, ScoreWeights.DEFAULT, 1_000);

        assertThat(counts.get("eu1")).isBetween(400, 600);
    }

    @Test
    void avoidsAnEndpointWithAHighErrorRate() {
        Cluster c = built(score(endpoint("a", EU), endpoint("b", EU), endpoint("c", EU)));
        for (int i = 0; i < 50; i++) {
            state(c, "a").errorRate().record(i % 2 == 0, 0);
            state(c, "b").errorRate().record(false, 0);
            state(c, "c").errorRate().record(false, 0);
        }

        assertThat(counts(c, null, ScoreWeights.DEFAULT, 3_000)).doesNotContainKey("a");
    }

    @Test
    void aHighErrorRateOutweighsASmallLatencyAdvantage() {
        Cluster c = built(score(endpoint("fast-but-failing", EU), endpoint("slower", EU)));
        state(c, "fast-but-failing").latency().observe(5 * MS, 0);
        state(c, "slower").latency().observe(15 * MS, 0);
        for (int i = 0; i < 100; i++) {
            state(c, "fast-but-failing").errorRate().record(i % 5 == 0, 0);   // 20 %
        }

        assertThat(counts(c, null, ScoreWeights.DEFAULT, 100)).isEqualTo(Map.of("slower", 100));
        assertThat(counts(c, null, new ScoreWeights(1, 1, 0, 1, 1), 100))
                .as("errors weighted 0").isEqualTo(Map.of("fast-but-failing", 100));
    }

    @Test
    void theRoutesWeightsDecideBetweenObjectives() {
        // Near but slow against far but fast, for a client in Paris: ~780 km + 40 ms against ~6,170 km + 10 ms.
        Cluster c = built(score(endpoint("eu1", EU), endpoint("us1", US)));
        state(c, "eu1").latency().observe(40 * MS, 0);
        state(c, "us1").latency().observe(10 * MS, 0);

        assertThat(counts(c, PARIS, new ScoreWeights(1, 0, 0, 0, 0), 100)).isEqualTo(Map.of("us1", 100));
        assertThat(counts(c, PARIS, new ScoreWeights(1, 0, 0, 10, 0), 100)).isEqualTo(Map.of("eu1", 100));
    }

    @Test
    void aHeavierEndpointIsCheaperPerUnitOfWeight() {
        Cluster c = built(score(endpoint("heavy", EU, 3, 0, 0, 0), endpoint("light", EU, 1, 0, 0, 0)));

        assertThat(counts(c, null, ScoreWeights.DEFAULT, 100)).isEqualTo(Map.of("heavy", 100));
    }

    @Test
    void worksAsTheGeoPolicysWithinPolicy() {
        Cluster c = built(geo(within(Policy.SCORE, 0, Map.of()), endpoint("eu1", EU, 1, 0, 0, 9),
                endpoint("eu2", EU, 1, 0, 0, 1), endpoint("us1", US)));

        assertThat(counts(c, PARIS, ScoreWeights.DEFAULT, 100)).isEqualTo(Map.of("eu2", 100));
    }

    private static Map<String, Integer> counts(Cluster c, ClientLocation location, ScoreWeights weights,
                                               int picks) {
        PickContext ctx = new PickContext(new SplittableRandom(9), () -> 0L).location(location)
                .scoreWeights(weights);
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(c.pick(ctx).id(), 1, Integer::sum);
        }
        return counts;
    }
}
