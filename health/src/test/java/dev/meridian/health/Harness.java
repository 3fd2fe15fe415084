package dev.meridian.health;

import dev.meridian.config.AdminConfig;
import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.HealthCheckConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.OutlierConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.config.PriorityConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.config.RouteConfig;
import dev.meridian.config.RouteMatch;
import dev.meridian.config.ServerConfig;
import dev.meridian.config.SlowStartConfig;
import dev.meridian.config.StatusThresholds;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.RoutingTableRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A supervisor over a table built in Java, on a fake clock and a control thread the test runs. */
final class Harness {
    static final long MS = 1_000_000L;
    static final List<RegionConfig> REGIONS = List.of(new RegionConfig("eu", "EU", 0, 0),
            new RegionConfig("us", "US", 0, 0));

    final FakeClock clock = new FakeClock();
    final ManualControlThread control = new ManualControlThread(clock);
    final RoutingTableRef ref;
    final HealthSupervisor health;
    final FakeProber prober = new FakeProber();

    Harness(ClusterConfig... clusters) {
        ref = new RoutingTableRef(RoutingTable.build(config(clusters), null, clock.nanoTime()));
        health = new HealthSupervisor(ref, prober, clock, control, new HealthLog(16), 20 * MS, 250 * MS, 100 * MS);
    }

    static MeridianConfig config(ClusterConfig... clusters) {
        List<RouteConfig> routes = new ArrayList<>();
        for (ClusterConfig c : clusters) {
            routes.add(new RouteConfig(c.name(), RouteMatch.ANY, c.name(), List.of(), null));
        }
        return new MeridianConfig("<test>", List.of(), AdminConfig.DEFAULT, ServerConfig.DEFAULT, REGIONS,
                List.of(clusters), routes);
    }

    static EndpointConfig endpoint(String id, int weight) {
        return endpoint(id, weight, "eu");
    }

    static EndpointConfig endpoint(String id, int weight, String region) {
        return new EndpointConfig(id, "127.0.0.1", 8080, region, null, weight, 0, 0);
    }

    static ClusterConfig cluster(String name, OutlierConfig outlier, EndpointConfig... endpoints) {
        return cluster(name, outlier, new SlowStartConfig(Duration.ofSeconds(10), 10), endpoints);
    }

    static ClusterConfig cluster(String name, OutlierConfig outlier, SlowStartConfig slowStart,
                                 EndpointConfig... endpoints) {
        return new ClusterConfig(name, Policy.WEIGHTED, PoolConfig.DEFAULT, List.of(endpoints),
                HealthCheckConfig.httpDefaults(), outlier, slowStart, PriorityConfig.DEFAULT, StatusThresholds.DEFAULT,
                null);
    }

    static OutlierConfig outlier(int gateway, int fiveXx, int maxEjectionPercent, boolean alwaysEjectOne) {
        return new OutlierConfig(gateway, fiveXx, null, null, Duration.ofSeconds(1), Duration.ofSeconds(30),
                maxEjectionPercent, alwaysEjectOne);
    }

    EndpointState endpoint(String id) {
        return ref.current().endpoint(id);
    }

    Cluster cluster(String name) {
        return ref.current().cluster(name);
    }

    /** The endpoints a fresh event loop picks over {@code picks} tries. */
    List<String> picks(String cluster, int picks) {
        PickContext ctx = new PickContext(new SplittableRandom(1));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < picks; i++) {
            EndpointState e = cluster(cluster).pick(ctx);
            ids.add(e == null ? null : e.id());
        }
        return ids;
    }
}
