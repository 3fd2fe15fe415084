package dev.meridian.routing.explain;

import dev.meridian.config.EndpointConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.EndpointStatus;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.Route;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.balance.EligibleSet;
import dev.meridian.routing.geo.ClientLocation;
import dev.meridian.routing.residency.JurisdictionSet;
import dev.meridian.routing.residency.Residency;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Explains a routing decision against one table. Off the hot path (the admin port asks), so it allocates freely;
 * it reads the same published sets the data plane picks from and runs a real pick for the winner.
 */
public final class Explainer {
    private Explainer() {
    }

    public static Decision explain(RoutingTable table, ExplainRequest request) {
        Route route = table.match(request.host(), request.path(), request.headerLookup());
        String client = describe(request.location());
        if (route == null) {
            return new Decision(null, null, null, client, null, List.of(), null,
                    "404: no route for host '" + request.host() + "' and path '" + request.path() + "'");
        }
        PickContext ctx = new PickContext(new SplittableRandom());
        ctx.beginRequest().location(request.location()).scoreWeights(route.config().score());
        request.keyHash().ifPresent(ctx::hash);
        JurisdictionSet allowed = route.residency() == null ? JurisdictionSet.ANY
                : route.residency().allowedFor(request.location());
        if (allowed == JurisdictionSet.DENIED) {
            return new Decision(route.name(), null, null, client, "", List.of(), null,
                    route.residency().status() + ": " + Residency.deniedReason(route.name(), request.location()));
        }
        Cluster cluster = route.selectCluster(ctx);
        if (cluster == null) {
            return new Decision(route.name(), null, null, client, allowed.toString(), List.of(), null,
                    "503: route '" + route.name() + "' has no cluster with weight");
        }
        List<Candidate> candidates = candidates(table, cluster, allowed, request.location(), ctx.nanoTime());
        EndpointState winner = cluster.pick(ctx, allowed);
        String outcome;
        if (winner != null) {
            outcome = "proxied to " + winner.id() + " (" + winner.config().authority() + ")";
        } else if (allowed.isRestricted()) {
            outcome = route.residency().status() + ": "
                    + Residency.noCompliantReason(cluster.name(), allowed, request.location());
        } else {
            outcome = "503: no endpoint of cluster '" + cluster.name() + "' can take traffic";
        }
        return new Decision(route.name(), cluster.name(), cluster.config().policy().yamlName(), client,
                allowed.toString(), candidates, winner == null ? null : winner.id(), outcome);
    }

    private static List<Candidate> candidates(RoutingTable table, Cluster cluster, JurisdictionSet allowed,
                                              ClientLocation location, long now) {
        EligibleSet set = cluster.eligibility(allowed);
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < cluster.endpoints().size(); i++) {
            EndpointState e = cluster.endpoints().get(i);
            EndpointConfig c = e.config();
            String jurisdiction = cluster.jurisdiction(i);
            int weight = e.effectiveWeight(now, cluster.config());
            boolean panic = false;
            for (EligibleSet.Level level : set.levels()) {
                int member = level.members().indexOf(e);
                if (member >= 0) {
                    panic = level.panic();
                    weight = level.weight(member);
                }
            }
            RegionConfig region = table.config().region(c.region());
            double distance = location == null || !location.hasCoordinates() || region == null ? Double.NaN
                    : location.distanceKm(region.latitude(), region.longitude());
            out.add(new Candidate(e.id(), c.region(), jurisdiction, e.status().name(), c.priority(),
                    removedBy(e, jurisdiction, allowed, set), weight, Math.max(0, e.inFlight()),
                    e.latency().estimateAt(now) / 1e6, distance, c.cost(), panic));
        }
        return out;
    }

    /** The first filter, in the order they apply, that keeps the endpoint from being picked; null when none. */
    private static String removedBy(EndpointState e, String jurisdiction, JurisdictionSet allowed, EligibleSet set) {
        if (!allowed.allows(jurisdiction)) {
            return "compliance";
        }
        if (e.config().weight() == 0) {
            return "weight";
        }
        EndpointStatus status = e.status();
        if (status == EndpointStatus.DRAINING) {
            return "drain";
        }
        if (status == EndpointStatus.MAINTENANCE) {
            return "maintenance";
        }
        if (set.members().contains(e)) {
            return null;
        }
        if (set.spares().contains(e)) {
            return "priority";
        }
        return "status";
    }

    private static String describe(ClientLocation location) {
        return location == null ? "unknown" : location.toString();
    }
}
