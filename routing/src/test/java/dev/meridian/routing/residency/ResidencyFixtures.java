package dev.meridian.routing.residency;

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
import dev.meridian.routing.RoutingTable;
import java.util.List;
import java.util.Map;

/** Tables with regions in EU, UK and US and one route with residency rules. */
final class ResidencyFixtures {
    static final List<RegionConfig> REGIONS = List.of(
            new RegionConfig("eu-west", "EU", 50.1, 8.7),
            new RegionConfig("uk-south", "UK", 51.5, -0.1),
            new RegionConfig("us-east", "US", 39.0, -77.5));

    private ResidencyFixtures() {
    }

    static EndpointConfig endpoint(String id, String region, int weight, int priority) {
        return new EndpointConfig(id, "127.0.0.1", 8080, region, null, weight, priority, 0);
    }

    static RoutingTable table(Policy policy, int panicThreshold, ResidencyConfig residency,
                              EndpointConfig... endpoints) {
        ClusterConfig c = new ClusterConfig("c", policy, PoolConfig.DEFAULT, List.of(endpoints), null, null, null,
                new PriorityConfig(PriorityConfig.DEFAULT.overprovisioningFactor(), panicThreshold), null, null);
        RouteConfig r = new RouteConfig("r", RouteMatch.ANY, "c", List.of(), null, null, residency, null, false);
        return RoutingTable.build(new MeridianConfig("<test>", List.of(), AdminConfig.DEFAULT, ServerConfig.DEFAULT,
                REGIONS, List.of(c), List.of(r)), null);
    }

    static ResidencyConfig euUkRules(String unknown, int status) {
        return new ResidencyConfig(Map.of("EU", List.of("EU"), "UK", List.of("UK", "EU")), unknown, status);
    }
}
