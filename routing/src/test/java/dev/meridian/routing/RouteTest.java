package dev.meridian.routing;

import static dev.meridian.routing.Fixtures.cluster;
import static dev.meridian.routing.Fixtures.config;
import static dev.meridian.routing.Fixtures.context;
import static dev.meridian.routing.Fixtures.endpoint;
import static dev.meridian.routing.Fixtures.match;
import static dev.meridian.routing.Fixtures.route;
import static dev.meridian.routing.Fixtures.split;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.RouteConfig;
import dev.meridian.config.RouteMatch;
import dev.meridian.config.TimeoutsConfig;
import dev.meridian.config.WeightedCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTest {

    @Test
    void aSingleClusterRouteAlwaysSelectsThatCluster() {
        RoutingTable t = table(route("r", RouteMatch.ANY, "x"));
        Route r = t.routes().get(0);

        assertThat(r.selectCluster(context())).isSameAs(t.cluster("x"));
        assertThat(r.name()).isEqualTo("r");
    }

    @Test
    void aSplitIsExactlyProportionalOverWholeCycles() {
        RoutingTable t = table(split("r", RouteMatch.ANY, new WeightedCluster("x", 90), new WeightedCluster("y", 10)));
        Route r = t.routes().get(0);
        PickContext ctx = context();
        Map<String, Integer> counts = new HashMap<>();

        for (int i = 0; i < 10_000; i++) {
            counts.merge(r.selectCluster(ctx).name(), 1, Integer::sum);
        }

        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("x", 9_000, "y", 1_000));
    }

    @Test
    void aSplitArmOfWeightZeroIsNeverChosen() {
        RoutingTable t = table(split("r", RouteMatch.ANY, new WeightedCluster("x", 0), new WeightedCluster("y", 5)));
        Route r = t.routes().get(0);
        PickContext ctx = context();

        for (int i = 0; i < 100; i++) {
            assertThat(r.selectCluster(ctx).name()).isEqualTo("y");
        }
    }

    @Test
    void aSplitWithNoWeightSelectsNothing() {
        RoutingTable t = table(split("r", RouteMatch.ANY, new WeightedCluster("x", 0)));

        assertThat(t.routes().get(0).selectCluster(context())).isNull();
    }

    @Test
    void splitsAndClustersUseSeparateCursors() {
        RoutingTable t = table(split("r", RouteMatch.ANY, new WeightedCluster("x", 1), new WeightedCluster("y", 1)));
        Route r = t.routes().get(0);
        PickContext ctx = context();

        assertThat(r.selectCluster(ctx).name()).isEqualTo("x");
        t.cluster("x").pick(ctx);
        t.cluster("y").pick(ctx);
        assertThat(r.selectCluster(ctx).name()).isEqualTo("y");
    }

    @Test
    void timeoutsDefaultWhenTheRouteDeclaresNone() {
        TimeoutsConfig own = new TimeoutsConfig(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3));
        RoutingTable t = table(route("plain", match(null, "/a"), "x"),
                new RouteConfig("timed", match(null, "/b"), "x", List.of(), own));

        assertThat(t.routes().get(0).timeouts()).isEqualTo(TimeoutsConfig.DEFAULT);
        assertThat(t.routes().get(1).timeouts()).isEqualTo(own);
    }

    private static RoutingTable table(RouteConfig... routes) {
        return RoutingTable.build(config(
                List.of(cluster("x", endpoint("x1", 1)), cluster("y", endpoint("y1", 1))), List.of(routes)), null);
    }
}
