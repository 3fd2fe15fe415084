package dev.meridian.routing;

import static dev.meridian.routing.Fixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.EndpointConfig;
import dev.meridian.config.Policy;
import dev.meridian.routing.balance.EligibleSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Every policy, over random weights, priorities and statuses: a pick only ever lands where the set allows. */
class PolicyPickPropertyTest {
    private static final int PICKS = 300;

    @Property(tries = 400)
    void noPolicyPicksAnEndpointThatIsNotEligible(
            @ForAll Policy policy,
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 20) Integer> weights,
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 5) Integer> statuses,
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 1) Integer> priorities,
            @ForAll long seed) {
        Cluster c = cluster(policy, weights, statuses, priorities);
        EligibleSet set = c.eligibility().snapshot();
        boolean panic = set.levels().stream().anyMatch(EligibleSet.Level::panic);
        PickContext ctx = new PickContext(new SplittableRandom(seed), () -> 0L);

        for (int i = 0; i < PICKS; i++) {
            EndpointState e = c.pick(ctx);
            if (e == null) {
                assertThat(set.isEmpty()).isTrue();
                continue;
            }
            assertThat(set.members()).contains(e);
            assertThat(e.config().weight()).isPositive();
            assertThat(e.status()).isNotIn(EndpointStatus.DRAINING, EndpointStatus.MAINTENANCE);
            if (!panic) {
                assertThat(e.status().takesTraffic()).as("%s in %s", e, set).isTrue();
            }
        }
    }

    @Property(tries = 400)
    void pickExcludingNeverReturnsATriedEndpoint(
            @ForAll Policy policy,
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 20) Integer> weights,
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 5) Integer> statuses,
            @ForAll @Size(min = 1, max = 12) List<Boolean> triedMask,
            @ForAll long seed) {
        Cluster c = cluster(policy, weights, statuses, List.of(0));
        EligibleSet set = c.eligibility().snapshot();
        List<EndpointState> triedList = new ArrayList<>();
        for (int i = 0; i < c.endpoints().size(); i++) {
            if (triedMask.get(i % triedMask.size())) {
                triedList.add(c.endpoints().get(i));
            }
        }
        EndpointState[] tried = triedList.toArray(new EndpointState[c.endpoints().size()]);
        PickContext ctx = new PickContext(new SplittableRandom(seed), () -> 0L);

        for (int i = 0; i < 50; i++) {
            EndpointState e = c.pickExcluding(ctx, tried, triedList.size());
            if (e == null) {
                assertThat(triedList).containsAll(set.members());
            } else {
                assertThat(Arrays.asList(tried).subList(0, triedList.size())).doesNotContain(e);
            }
        }
    }

    private static Cluster cluster(Policy policy, List<Integer> weights, List<Integer> statuses,
                                   List<Integer> priorities) {
        EndpointConfig[] configs = new EndpointConfig[weights.size()];
        for (int i = 0; i < configs.length; i++) {
            configs[i] = endpoint("e" + i, weights.get(i), priorities.get(i % priorities.size()));
        }
        Cluster c = PolicyPickTest.built(policy, configs);
        for (int i = 0; i < configs.length; i++) {
            EndpointHealth h = c.endpoints().get(i).health();
            switch (statuses.get(i % statuses.size())) {
                case 1 -> h.eject();
                case 2 -> h.checkFailing(true);
                case 3 -> h.adminState(AdminState.DRAINING);
                case 4 -> h.adminState(AdminState.MAINTENANCE);
                case 5 -> h.degraded(true);
                default -> { }
            }
        }
        c.republish(0);
        return c;
    }
}
