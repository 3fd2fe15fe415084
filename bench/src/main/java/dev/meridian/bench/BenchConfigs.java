package dev.meridian.bench;

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
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Configs of a given shape for the benchmarks, built in Java so a benchmark measures routing, not YAML.
 */
final class BenchConfigs {
    static final String[] PATHS = {
        "/api/v1/users", "/api/v1/orders", "/api/v2/users", "/api/v2/orders", "/static/", "/assets/img/", "/login",
        "/",
    };
    private static final RegionConfig REGION = new RegionConfig("local", "XX", 0, 0);

    private BenchConfigs() {
    }

    /**
     * One cluster of {@code endpoints} endpoints.
     *
     * @param weights {@code uniform}: all 100, so the smooth sequence is one pass over the endpoints;
     *                {@code mixed}: random 1..1000, a cycle too long to store for large clusters
     */
    static MeridianConfig cluster(int endpoints, String weights) {
        return cluster(endpoints, weights, Policy.WEIGHTED);
    }

    /** As {@link #cluster(int, String)}, balanced with {@code policy}. */
    static MeridianConfig cluster(int endpoints, String weights, Policy policy) {
        SplittableRandom random = new SplittableRandom(7);
        List<EndpointConfig> list = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            int weight = weights.equals("uniform") ? 100 : 1 + random.nextInt(1000);
            list.add(new EndpointConfig("e" + i, "10.0." + (i / 250) + "." + (i % 250 + 1), 8080, REGION.name(), null,
                    weight, 0, 0));
        }
        ClusterConfig cluster = new ClusterConfig("c", policy, PoolConfig.DEFAULT, list);
        return config(List.of(cluster), List.of(new RouteConfig("all", RouteMatch.ANY, "c", List.of(), null)));
    }

    /**
     * {@code routes} routes as a multi-tenant edge would have them: a tenth of the hosts are wildcards, the rest
     * exact; each host carries the {@link #PATHS} prefixes and an exact health check, every fifth host a header
     * canary; a few catch-alls without host close the list.
     */
    static MeridianConfig routes(int routes) {
        List<RouteConfig> list = new ArrayList<>();
        for (int h = 0; list.size() < routes; h++) {
            String host = host(h);
            list.add(route(list.size(), new RouteMatch(host, null, "/healthz", List.of())));
            if (h % 5 == 0) {
                list.add(route(list.size(), new RouteMatch(host, "/api/", null,
                        List.of(new HeaderMatch("x-canary", "1")))));
            }
            for (int p = 0; p < PATHS.length && list.size() < routes - 2; p++) {
                list.add(route(list.size(), new RouteMatch(host, PATHS[p], null, List.of())));
            }
            if (list.size() >= routes - 2) {
                break;
            }
        }
        while (list.size() < routes) {
            list.add(route(list.size(), new RouteMatch(null, list.size() % 2 == 0 ? "/" : "/api/", null, List.of())));
        }
        ClusterConfig cluster = new ClusterConfig("c", Policy.WEIGHTED, PoolConfig.DEFAULT,
                List.of(new EndpointConfig("e", "127.0.0.1", 8080, REGION.name(), null, 1, 0, 0)));
        return config(List.of(cluster), list);
    }

    /** The configured host of host group {@code h}: {@code *.tN.example.net} or {@code svcN.example.com}. */
    static String host(int h) {
        return h % 10 == 9 ? "*.t" + h + ".example.net" : "svc" + h + ".example.com";
    }

    private static RouteConfig route(int i, RouteMatch match) {
        return new RouteConfig("r" + i, match, "c", List.of(), null);
    }

    private static MeridianConfig config(List<ClusterConfig> clusters, List<RouteConfig> routes) {
        return new MeridianConfig("<bench>", List.of(), AdminConfig.DEFAULT, ServerConfig.DEFAULT, List.of(REGION),
                clusters, routes);
    }
}
