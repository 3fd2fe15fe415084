package dev.meridian.routing.explain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.AdminConfig;
import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.config.PriorityConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.config.ResidencyConfig;
import dev.meridian.config.RouteConfig;
import dev.meridian.config.RouteMatch;
import dev.meridian.config.ServerConfig;
import dev.meridian.routing.AdminState;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.geo.ClientLocation;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExplainerTest {
    private static final ClientLocation PARIS = new ClientLocation("FR", "EU", 48.9, 2.35);
    private RoutingTable table;

    @BeforeEach
    void build() {
        List<RegionConfig> regions = List.of(new RegionConfig("eu-west", "EU", 50.1, 8.7),
                new RegionConfig("us-east", "US", 39.0, -77.5));
        ClusterConfig cluster = new ClusterConfig("app", Policy.LEAST_REQUEST, PoolConfig.DEFAULT, List.of(
                endpoint("eu-1", "eu-west", 100, 0), endpoint("eu-2", "eu-west", 100, 0),
                endpoint("eu-dr", "eu-west", 100, 1), endpoint("eu-off", "eu-west", 0, 0),
                endpoint("us-1", "us-east", 100, 0)), null, null, null, new PriorityConfig(1.4, 0), null, null);
        ResidencyConfig rules = new ResidencyConfig(Map.of("EU", List.of("EU")), "deny", 451);
        RouteConfig api = new RouteConfig("api", new RouteMatch(null, "/api", null, List.of()), "app", List.of(), null,
                null, rules, null, true);
        table = RoutingTable.build(new MeridianConfig("<test>", List.of(), AdminConfig.DEFAULT, ServerConfig.DEFAULT,
                regions, List.of(cluster), List.of(api)), null);
    }

    private static EndpointConfig endpoint(String id, String region, int weight, int priority) {
        return new EndpointConfig(id, "127.0.0.1", 8080, region, null, weight, priority, 0, null, 2.5);
    }

    @Test
    void namesTheFilterThatRemovedEachEndpointAndTheWinner() {
        Decision d = explainParis();

        Map<String, Candidate> byId = byId(d);
        assertThat(d.route()).isEqualTo("api");
        assertThat(d.cluster()).isEqualTo("app");
        assertThat(d.policy()).isEqualTo("least_request");
        assertThat(d.allowed()).isEqualTo("EU");
        assertThat(byId.get("us-1").removedBy()).isEqualTo("compliance");
        assertThat(byId.get("eu-off").removedBy()).isEqualTo("weight");
        assertThat(byId.get("eu-dr").removedBy()).isEqualTo("priority");
        assertThat(byId.get("eu-1").removedBy()).isNull();
        assertThat(byId.get("eu-2").removedBy()).isNull();
        assertThat(byId.get("eu-1").distanceKm()).isBetween(400.0, 550.0);
        assertThat(byId.get("eu-1").cost()).isEqualTo(2.5);
        assertThat(d.winner()).isIn("eu-1", "eu-2");
        assertThat(d.outcome()).startsWith("proxied to " + d.winner());
        assertThat(d.shortForm()).contains("route=api", "endpoint=" + d.winner(), "allowed=EU");
    }

    @Test
    void aDrainedEndpointIsRemovedByDrainAndItsLevelSpillsOver() {
        table.endpoint("eu-2").health().adminState(AdminState.DRAINING);
        table.cluster("app").republish(System.nanoTime());

        Map<String, Candidate> byId = byId(explainParis());

        assertThat(byId.get("eu-2").removedBy()).isEqualTo("drain");
        // Half of level 0 is left: 50 % x 1.4 overprovisioning keeps 70 % there and spills 30 % to the DR level.
        assertThat(byId.get("eu-dr").removedBy()).isNull();
    }

    private Decision explainParis() {
        return table.explain(new ExplainRequest(null, "/api/x", Map.of(), PARIS, OptionalLong.empty()));
    }

    private static Map<String, Candidate> byId(Decision d) {
        return d.candidates().stream().collect(Collectors.toMap(Candidate::id, Function.identity()));
    }

    @Test
    void anEjectedEndpointIsRemovedByStatusAndTheRefusalIsExplained() {
        table.endpoint("eu-1").health().eject();
        table.endpoint("eu-2").health().eject();
        table.endpoint("eu-dr").health().eject();
        table.cluster("app").republish(System.nanoTime());

        Decision d = table.explain(new ExplainRequest(null, "/api/x", Map.of(), PARIS, OptionalLong.empty()));

        assertThat(d.candidates()).filteredOn(c -> c.id().startsWith("eu-") && !c.id().equals("eu-off"))
                .extracting(Candidate::removedBy).containsOnly("status");
        assertThat(d.winner()).isNull();
        assertThat(d.outcome()).startsWith("451: residency: no endpoint of cluster 'app' in EU");
    }

    @Test
    void unknownClientsAndUnmatchedRequestsAreExplainedToo() {
        Decision denied = table.explain(new ExplainRequest(null, "/api", Map.of(), null, OptionalLong.empty()));
        Decision noRoute = table.explain(new ExplainRequest("h", "/other", Map.of(), null, OptionalLong.empty()));

        assertThat(denied.outcome()).isEqualTo("451: residency: route 'api' serves no client of unknown location");
        assertThat(noRoute.route()).isNull();
        assertThat(noRoute.outcome()).startsWith("404");
    }
}
