package dev.meridian.routing;

import static dev.meridian.routing.Fixtures.cluster;
import static dev.meridian.routing.Fixtures.config;
import static dev.meridian.routing.Fixtures.endpoint;
import static dev.meridian.routing.Fixtures.match;
import static dev.meridian.routing.Fixtures.route;
import static dev.meridian.routing.Fixtures.split;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.RouteMatch;
import dev.meridian.config.WeightedCluster;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
    private final MeridianConfig config1 = config(
            List.of(cluster("api", endpoint("a", 1), endpoint("b", 1)), cluster("web", endpoint("w", 1))),
            List.of(route("api", match("api.example.com", "/"), "api"),
                    split("canary", match(null, "/"), new WeightedCluster("api", 1), new WeightedCluster("web", 9))));

    @Test
    void versionsCountFromOne() {
        RoutingTable t1 = RoutingTable.build(config1, null);
        RoutingTable t2 = RoutingTable.build(config1, t1);

        assertThat(t1.version()).isEqualTo(1);
        assertThat(t2.version()).isEqualTo(2);
        assertThat(t2.config()).isSameAs(config1);
    }

    @Test
    void exposesRoutesAndClustersInConfigOrder() {
        RoutingTable t = RoutingTable.build(config1, null);

        assertThat(t.routes()).extracting(Route::name).containsExactly("api", "canary");
        assertThat(t.clusters()).extracting(Cluster::name).containsExactly("api", "web");
        assertThat(t.cluster("web").endpoints()).extracting(EndpointState::id).containsExactly("w");
        assertThat(t.cluster("nope")).isNull();
        assertThat(t.endpoint("b")).isSameAs(t.cluster("api").endpoints().get(1));
    }

    @Test
    void matchesRequestsThroughTheTable() {
        RoutingTable t = RoutingTable.build(config1, null);

        assertThat(t.match("API.example.com:443", "/v1?x", HeaderLookup.NONE).name()).isEqualTo("api");
        assertThat(t.match("www.example.com", "/", HeaderLookup.NONE).name()).isEqualTo("canary");
        assertThat(t.match(null, "/", null).name()).isEqualTo("canary");
    }

    @Test
    void givesEachClusterAndSplitItsOwnDenseCursorSlot() {
        assertThat(RoutingTable.build(config1, null).cursorSlots()).isEqualTo(3);
    }

    @Test
    void resolvesAddressesAtBuild() {
        EndpointState a = RoutingTable.build(config1, null).endpoint("a");

        assertThat(a.address()).isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
        assertThat(a.address().isUnresolved()).isFalse();
    }

    @Test
    void keepsEndpointStatesAcrossReloadsAndMovesThemToTheNewConfig() {
        RoutingTable t1 = RoutingTable.build(config1, null);
        EndpointState a = t1.endpoint("a");
        a.requestStarted();
        EndpointConfig newA = new EndpointConfig("a", "127.0.0.2", 9090, "local", "z1", 7, 0, 0);
        MeridianConfig config2 = config(List.of(cluster("api", newA, endpoint("c", 1))),
                List.of(route("all", RouteMatch.ANY, "api")));

        RoutingTable t2 = RoutingTable.build(config2, t1);

        assertThat(t2.endpoint("a")).isSameAs(a);
        assertThat(a.inFlight()).isEqualTo(1);
        assertThat(a.requestsTotal()).isEqualTo(1);
        assertThat(a.config()).isSameAs(newA);
        assertThat(a.address()).isEqualTo(new InetSocketAddress("127.0.0.2", 9090));
        assertThat(t2.endpoint("c")).isNotNull().isNotSameAs(t1.endpoint("b"));
        assertThat(t2.endpoint("b")).isNull();
        assertThat(t2.endpoint("c").inFlight()).isZero();
    }

    @Test
    void aRejectedConfigLeavesThePreviousStatesUntouched() {
        RoutingTable t1 = RoutingTable.build(config1, null);
        EndpointConfig oldA = t1.endpoint("a").config();
        MeridianConfig broken = config(List.of(cluster("api", endpoint("a", 50))),
                List.of(route("r", RouteMatch.ANY, "missing")));

        assertThatThrownBy(() -> RoutingTable.build(broken, t1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("route r: cluster missing");
        assertThat(t1.endpoint("a").config()).isSameAs(oldA);
    }

    @Test
    void refusesDuplicateEndpointIdsAndClusterNames() {
        MeridianConfig duplicateIds = config(List.of(cluster("x", endpoint("a", 1)), cluster("y", endpoint("a", 1))),
                List.of());
        MeridianConfig duplicateNames = config(List.of(cluster("x", endpoint("a", 1)), cluster("x")), List.of());

        assertThatThrownBy(() -> RoutingTable.build(duplicateIds, null)).hasMessageContaining("endpoint id: a");
        assertThatThrownBy(() -> RoutingTable.build(duplicateNames, null)).hasMessageContaining("cluster name: x");
    }

    @Test
    void pickContextsFollowATableThatAddsSlots() {
        RoutingTable t1 = RoutingTable.build(config1, null);
        PickContext ctx = Fixtures.context();
        t1.cluster("api").pick(ctx);
        List<ClusterConfig> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(cluster("c" + i, endpoint("e" + i, 1)));
        }
        RoutingTable t2 = RoutingTable.build(config(many, List.of()), t1);

        assertThat(t2.cursorSlots()).isEqualTo(40);
        assertThat(t2.cluster("c39").pick(ctx).id()).isEqualTo("e39");
    }
}
