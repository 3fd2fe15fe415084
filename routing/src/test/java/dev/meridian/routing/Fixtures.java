package dev.meridian.routing;

import dev.meridian.config.AdminConfig;
import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.HeaderMatch;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.config.RouteConfig;
import dev.meridian.config.RouteMatch;
import dev.meridian.config.ServerConfig;
import dev.meridian.config.WeightedCluster;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Small configs built in Java, so routing tests do not depend on the YAML loader.
 */
public final class Fixtures {
    private static final RegionConfig REGION = new RegionConfig("local", "XX", 0, 0);

    private Fixtures() {
    }

    public static EndpointConfig endpoint(String id, int weight) {
        return endpoint(id, weight, 0);
    }

    public static EndpointConfig endpoint(String id, int weight, int priority) {
        return new EndpointConfig(id, "127.0.0.1", 8080, REGION.name(), null, weight, priority, 0);
    }

    public static ClusterConfig cluster(String name, EndpointConfig... endpoints) {
        return new ClusterConfig(name, Policy.WEIGHTED, PoolConfig.DEFAULT, List.of(endpoints));
    }

    /** A cluster whose endpoints are named by the keys and weighted by the values, in key order. */
    public static ClusterConfig cluster(String name, Map<String, Integer> weights) {
        return cluster(name, weights.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> endpoint(e.getKey(), e.getValue())).toArray(EndpointConfig[]::new));
    }

    public static RouteMatch match(String host, String pathPrefix) {
        return new RouteMatch(host, pathPrefix, null, List.of());
    }

    public static RouteMatch exactPath(String host, String path) {
        return new RouteMatch(host, null, path, List.of());
    }

    public static RouteMatch withHeader(String host, String pathPrefix, String name, String value) {
        return new RouteMatch(host, pathPrefix, null, List.of(new HeaderMatch(name, value)));
    }

    public static RouteConfig route(String name, RouteMatch match, String cluster) {
        return new RouteConfig(name, match, cluster, List.of(), null);
    }

    public static RouteConfig split(String name, RouteMatch match, WeightedCluster... arms) {
        return new RouteConfig(name, match, null, List.of(arms), null);
    }

    public static MeridianConfig config(List<ClusterConfig> clusters, List<RouteConfig> routes) {
        return new MeridianConfig("<test>", List.of(), AdminConfig.DEFAULT, ServerConfig.DEFAULT, List.of(REGION),
                clusters, routes);
    }

    /** One cluster and one catch-all route to it. */
    public static RoutingTable table(ClusterConfig cluster) {
        return RoutingTable.build(config(List.of(cluster), List.of(route("all", RouteMatch.ANY, cluster.name()))),
                null);
    }

    public static PickContext context() {
        return new PickContext(new SplittableRandom(42));
    }

    /** A header lookup over a map, case-insensitive in the name as Netty's headers are. */
    public static HeaderLookup headers(Map<String, String> values) {
        return name -> values.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }
}
