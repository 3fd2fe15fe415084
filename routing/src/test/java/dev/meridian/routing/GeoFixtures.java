package dev.meridian.routing;

import dev.meridian.config.AdminConfig;
import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.GeoPolicyConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.config.RouteConfig;
import dev.meridian.config.RouteMatch;
import dev.meridian.config.ServerConfig;
import dev.meridian.routing.geo.ClientLocation;
import java.util.List;
import java.util.Map;

/** Regions at real places, and clients near them, for the geo and score policies. */
final class GeoFixtures {
    static final RegionConfig EU = new RegionConfig("eu-west", "EU", 53.35, -6.26);      // Dublin
    static final RegionConfig US = new RegionConfig("us-east", "US", 38.90, -77.04);     // Washington
    static final RegionConfig AP = new RegionConfig("ap-south", "SG", 1.35, 103.82);     // Singapore
    static final List<RegionConfig> REGIONS = List.of(EU, US, AP);

    static final ClientLocation PARIS = new ClientLocation("FR", "EU", 48.85, 2.35);
    static final ClientLocation NEW_YORK = new ClientLocation("US", "US", 40.71, -74.01);
    static final ClientLocation TOKYO = new ClientLocation("JP", "JP", 35.68, 139.69);
    static final ClientLocation NOWHERE = new ClientLocation(null, null, Double.NaN, Double.NaN);

    private GeoFixtures() {
    }

    static EndpointConfig endpoint(String id, RegionConfig region) {
        return endpoint(id, region, 1, 0, 0, 0);
    }

    static EndpointConfig endpoint(String id, RegionConfig region, int weight, int priority, int capacity,
                                   double cost) {
        return new EndpointConfig(id, "127.0.0.1", 8080, region.name(), null, weight, priority, capacity, null,
                cost);
    }

    static ClusterConfig geo(GeoPolicyConfig geo, EndpointConfig... endpoints) {
        return new ClusterConfig("c", Policy.GEO, PoolConfig.DEFAULT, List.of(endpoints), null, null, null, null,
                null, null, null, geo);
    }

    static ClusterConfig geo(EndpointConfig... endpoints) {
        return geo(GeoPolicyConfig.DEFAULT, endpoints);
    }

    static GeoPolicyConfig within(Policy within, int spillAtLoadPercent, Map<String, Integer> bias) {
        return new GeoPolicyConfig(within, spillAtLoadPercent, bias);
    }

    static ClusterConfig score(EndpointConfig... endpoints) {
        return new ClusterConfig("c", Policy.SCORE, PoolConfig.DEFAULT, List.of(endpoints));
    }

    static MeridianConfig config(List<RegionConfig> regions, ClusterConfig cluster) {
        return new MeridianConfig("<test>", List.of(), AdminConfig.DEFAULT, ServerConfig.DEFAULT, regions,
                List.of(cluster), List.of(new RouteConfig("all", RouteMatch.ANY, cluster.name(), List.of(), null)));
    }

    static Cluster built(List<RegionConfig> regions, ClusterConfig cluster) {
        return RoutingTable.build(config(regions, cluster), null, 0).cluster(cluster.name());
    }

    static Cluster built(ClusterConfig cluster) {
        return built(REGIONS, cluster);
    }

    static EndpointState state(Cluster c, String id) {
        return c.endpoints().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }
}
