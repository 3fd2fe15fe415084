package dev.meridian.routing;

import static dev.meridian.routing.Fixtures.cluster;
import static dev.meridian.routing.Fixtures.config;
import static dev.meridian.routing.Fixtures.endpoint;
import static dev.meridian.routing.Fixtures.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.RouteMatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The running in-flight total per cluster that bounded-load hashing reads, across reloads. */
class ClusterLoadTest {

    @Test
    void theEndpointsOfAClusterCountIntoOneTotal() {
        RoutingTable t = RoutingTable.build(twoClusters(cluster("api", endpoint("a", 1), endpoint("b", 1)),
                cluster("web", endpoint("w", 1))), null);
        t.endpoint("a").requestStarted();
        t.endpoint("b").requestStarted();
        t.endpoint("b").requestStarted();
        t.endpoint("w").requestStarted();
        t.endpoint("b").requestEnded();

        assertThat(t.endpoint("a").clusterLoad()).isSameAs(t.endpoint("b").clusterLoad());
        assertThat(t.endpoint("a").clusterLoad().inFlight()).isEqualTo(2);
        assertThat(t.endpoint("w").clusterLoad().inFlight()).isEqualTo(1);
    }

    @Test
    void aReloadKeepsTheTotalSoRequestsEndWhereTheyStarted() {
        RoutingTable before = RoutingTable.build(twoClusters(cluster("api", endpoint("a", 1), endpoint("b", 1)),
                cluster("web", endpoint("w", 1))), null);
        before.endpoint("a").requestStarted();
        before.endpoint("b").requestStarted();

        RoutingTable after = RoutingTable.build(twoClusters(cluster("api", endpoint("a", 3), endpoint("c", 1)),
                cluster("web", endpoint("w", 1))), before);
        before.endpoint("b").requestEnded();   // b left the config with a request in flight
        after.endpoint("c").requestStarted();

        assertThat(after.endpoint("c").clusterLoad()).isSameAs(before.endpoint("a").clusterLoad());
        assertThat(after.endpoint("a").clusterLoad().inFlight()).isEqualTo(2);
    }

    @Test
    void anEndpointMovingToAnotherClusterTakesItsRequestsAlong() {
        RoutingTable before = RoutingTable.build(twoClusters(cluster("api", endpoint("a", 1), endpoint("b", 1)),
                cluster("web", endpoint("w", 1))), null);
        before.endpoint("a").requestStarted();
        before.endpoint("b").requestStarted();
        before.endpoint("b").requestStarted();

        RoutingTable after = RoutingTable.build(twoClusters(cluster("api", endpoint("a", 1)),
                cluster("web", endpoint("w", 1), endpoint("b", 1))), before);
        after.endpoint("b").requestEnded();

        assertThat(after.endpoint("a").clusterLoad().inFlight()).isEqualTo(1);
        assertThat(after.endpoint("w").clusterLoad().inFlight()).isEqualTo(1);
        assertThat(after.endpoint("b").clusterLoad()).isSameAs(after.endpoint("w").clusterLoad());
    }

    private static MeridianConfig twoClusters(ClusterConfig api, ClusterConfig web) {
        return config(List.of(api, web), List.of(route("api", RouteMatch.ANY, "api")));
    }
}
