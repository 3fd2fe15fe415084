package dev.meridian.routing;

import static dev.meridian.routing.Fixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.EndpointConfig;
import dev.meridian.config.Policy;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.assertj.core.data.Offset;

/**
 * Over 10^6 picks from any starting point, {@code weighted} and {@code random} give every endpoint its weight's
 * share within one percentage point.
 */
class WeightedSharesPropertyTest {
    private static final int PICKS = 1_000_000;

    @Property(tries = 12)
    void sharesFollowWeightsWithinOnePercent(
            @ForAll("proportional") Policy policy,
            @ForAll @Size(min = 2, max = 20) List<@IntRange(min = 1, max = 1_000) Integer> weights,
            @ForAll @IntRange(min = 0, max = 1_000_000) int warmUpPicks,
            @ForAll long seed) {
        EndpointConfig[] configs = new EndpointConfig[weights.size()];
        long total = 0;
        for (int i = 0; i < configs.length; i++) {
            configs[i] = endpoint("e" + i, weights.get(i));
            total += weights.get(i);
        }
        Cluster c = PolicyPickTest.built(policy, configs);
        PickContext ctx = new PickContext(new SplittableRandom(seed), () -> 0L);
        for (int i = 0; i < warmUpPicks % 9_973; i++) {
            c.pick(ctx);
        }
        Map<EndpointState, int[]> counts = new IdentityHashMap<>();
        for (int i = 0; i < PICKS; i++) {
            counts.computeIfAbsent(c.pick(ctx), e -> new int[1])[0]++;
        }
        for (int i = 0; i < configs.length; i++) {
            EndpointState e = c.endpoints().get(i);
            double share = counts.getOrDefault(e, new int[1])[0] / (double) PICKS;
            assertThat(share).as("%s of %s under %s", e.id(), weights, policy)
                    .isCloseTo(weights.get(i) / (double) total, Offset.offset(0.01));
        }
    }

    @Provide
    Arbitrary<Policy> proportional() {
        return Arbitraries.of(Policy.WEIGHTED, Policy.RANDOM);
    }
}
