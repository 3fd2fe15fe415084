package dev.meridian.routing;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.config.RouteConfig;
import dev.meridian.config.WeightedCluster;
import dev.meridian.routing.residency.JurisdictionSets;
import dev.meridian.routing.balance.WeightedTable;
import dev.meridian.routing.geo.GeoLocator;
import dev.meridian.routing.match.RequestMatcher;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a validated config into a {@link RoutingTable}. Cursor slots are dense: clusters first in config order, then
 * splits in route order. The loader has already checked references; the checks here only keep a bad config from
 * building a table that would fail per request.
 */
final class RoutingTableBuilder {
    private RoutingTableBuilder() {
    }

    static RoutingTable build(MeridianConfig config, RoutingTable previous, long nowNanos) {
        Objects.requireNonNull(config, "config");
        EndpointStates states = EndpointStates.carryOver(config,
                previous == null ? Map.of() : previous.endpointsById());
        int cursor = 0;
        JurisdictionSets restrictions = JurisdictionSets.of(config.routes());
        Map<String, Cluster> clusters = new LinkedHashMap<>();
        for (ClusterConfig cc : config.clusters()) {
            List<EndpointState> members = new ArrayList<>();
            List<String> jurisdictions = new ArrayList<>();
            for (EndpointConfig e : cc.endpoints()) {
                members.add(states.get(e.id()));
                jurisdictions.add(jurisdiction(e, config));
            }
            // The reused states carry their status over, so the new table starts with the eligibility they have now.
            Cluster cluster = new Cluster(cc, members, config.regions(), jurisdictions, restrictions.all(), cursor,
                    nowNanos, previous == null ? null : previous.cluster(cc.name()));
            if (clusters.putIfAbsent(cc.name(), cluster) != null) {
                throw new IllegalArgumentException("cluster name: " + cc.name() + " (expected: unique)");
            }
            cursor += cluster.cursorSlots();
        }
        List<Route> routes = new ArrayList<>();
        RequestMatcher.Builder<Route> matcher = RequestMatcher.builder();
        for (RouteConfig rc : config.routes()) {
            Route route;
            if (rc.split().isEmpty()) {
                route = Route.toCluster(rc, cluster(rc, rc.cluster(), clusters));
            } else if (rc.cluster() != null) {
                throw new IllegalArgumentException("route " + rc.name() + ": both cluster and split (expected: one)");
            } else {
                route = Route.toSplit(rc, split(rc, clusters), cursor++);
            }
            if (rc.residency() != null) {
                route = route.withResidency(restrictions.residency(rc.residency()));
            }
            routes.add(route);
            matcher.add(rc.match(), route);
        }
        RequestMatcher<Route> requestMatcher = matcher.build();
        // Before commit: a geo section that cannot be built (an unreadable MaxMind file) leaves previous untouched.
        GeoLocator locator = GeoLocator.of(config, previous == null ? null : previous.locator());
        states.commit();
        clusters.values().forEach(Cluster::countRegionInFlight);
        long version = previous == null ? 1 : previous.version() + 1;
        return new RoutingTable(config, version, Collections.unmodifiableList(routes),
                Collections.unmodifiableMap(clusters), states.byId(), requestMatcher, cursor, locator);
    }

    /** Where an endpoint's data lives: its own declared jurisdiction, else its region's. */
    private static String jurisdiction(EndpointConfig e, MeridianConfig config) {
        if (e.jurisdiction() != null) {
            return e.jurisdiction();
        }
        RegionConfig region = config.region(e.region());
        return region == null ? null : region.jurisdiction();
    }

    private static WeightedTable<Cluster> split(RouteConfig rc, Map<String, Cluster> clusters) {
        List<Cluster> arms = new ArrayList<>();
        int[] weights = new int[rc.split().size()];
        for (WeightedCluster arm : rc.split()) {
            weights[arms.size()] = arm.weight();
            arms.add(cluster(rc, arm.cluster(), clusters));
        }
        return WeightedTable.of(arms, weights);
    }

    private static Cluster cluster(RouteConfig rc, String name, Map<String, Cluster> clusters) {
        Cluster c = name == null ? null : clusters.get(name);
        if (c == null) {
            throw new IllegalArgumentException("route " + rc.name() + ": cluster " + name
                    + " (expected: a declared cluster)");
        }
        return c;
    }
}
