package dev.meridian.routing.balance;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.Policy;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.geo.ClientLocation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code geo} policy's view of a cluster: one {@link EligibleSet} per region, built from that region's endpoints
 * with the cluster's {@code geo.within} policy (so priority levels and panic mode work inside each region), and the
 * rule that chooses the region per request.
 *
 * <p>The region is the nearest to the client that takes traffic and is not over its load limit: by dot product of
 * unit vectors when no region has a bias, else by the biased distance order cached per client location. A region
 * none of whose endpoints takes traffic (FAILED) is passed over; one whose requests in flight exceed
 * {@code spillAtLoadPercent} of its healthy endpoints' capacity is passed over for the next nearest with room, and
 * used only when every healthy region is over. When no region has a healthy endpoint, the nearest region with a set in
 * panic takes the request. A client of unknown location (or without coordinates) takes the regions in declaration
 * order: the first declared region is the home of traffic that cannot be placed.
 */
final class GeoSet {
    private final Regions regions;
    private final EligibleSet[] sets;
    /** Each region's first cursor slot, relative to the cluster's. */
    private final int[] slots;
    /** Whether any endpoint of the region takes traffic. */
    private final boolean[] healthy;
    /** Requests in flight above which the region spills; 0: never on load. */
    private final int[] maxInFlight;
    /** Per region: retries' scan order, that region's members first, then the others' by distance from it. */
    private final List<List<EndpointState>> retryOrder;

    private GeoSet(Regions regions, EligibleSet[] sets, int[] slots, boolean[] healthy, int[] maxInFlight) {
        this.regions = regions;
        this.sets = sets;
        this.slots = slots;
        this.healthy = healthy;
        this.maxInFlight = maxInFlight;
        List<List<EndpointState>> orders = new ArrayList<>(sets.length);
        for (int r = 0; r < sets.length; r++) {
            List<EndpointState> order = new ArrayList<>();
            for (int s : regions.orderFrom(r)) {
                order.addAll(sets[s].members());
            }
            orders.add(Collections.unmodifiableList(order));
        }
        this.retryOrder = orders;
    }

    /** Cursor slots of a geo cluster: those of each region's set. */
    static int cursorSlots(ClusterConfig cluster) {
        Regions regions = Regions.of(cluster, List.of());
        int slots = 0;
        for (int r = 0; r < regions.size(); r++) {
            slots += EligibleSet.cursorSlots(regionConfig(cluster, regions, r));
        }
        return slots;
    }

    static GeoSet of(List<EndpointState> states, ClusterConfig cluster, Regions regions, long nowNanos) {
        int n = regions.size();
        EligibleSet[] sets = new EligibleSet[n];
        int[] slots = new int[n];
        boolean[] healthy = new boolean[n];
        int[] maxInFlight = new int[n];
        int spillPercent = cluster.geo().spillAtLoadPercent();
        int slot = 0;
        for (int r = 0; r < n; r++) {
            ClusterConfig rc = regionConfig(cluster, regions, r);
            List<EndpointState> rs = new ArrayList<>();
            long capacity = 0;
            for (int i : regions.endpointsOf(r)) {
                EndpointState s = states.get(i);
                EndpointConfig c = cluster.endpoints().get(i);
                rs.add(s);
                // The new config's weight: the state's own config is the previous table's until the build commits.
                if (s.health().effectiveWeight(c.weight(), nowNanos, rc) > 0) {
                    healthy[r] = true;
                    capacity += c.capacity();
                }
            }
            sets[r] = EligibleSet.of(rs, rc, regions, nowNanos);
            healthy[r] &= !sets[r].isEmpty();
            slots[r] = slot;
            slot += EligibleSet.cursorSlots(rc);
            if (spillPercent > 0 && capacity > 0) {
                maxInFlight[r] = (int) Math.max(1, Math.min(Integer.MAX_VALUE, capacity * spillPercent / 100));
            }
        }
        return new GeoSet(regions, sets, slots, healthy, maxInFlight);
    }

    /** A region's endpoints as a cluster of their own, balanced with the geo cluster's {@code within} policy. */
    private static ClusterConfig regionConfig(ClusterConfig cluster, Regions regions, int region) {
        List<EndpointConfig> endpoints = new ArrayList<>();
        for (int i : regions.endpointsOf(region)) {
            endpoints.add(cluster.endpoints().get(i));
        }
        Policy within = cluster.geo().within() == Policy.GEO ? Policy.WEIGHTED : cluster.geo().within();
        return new ClusterConfig(cluster.name(), within, cluster.pool(), endpoints, cluster.healthCheck(),
                cluster.outlier(), cluster.slowStart(), cluster.priority(), cluster.statusThresholds(),
                cluster.retryBudget(), cluster.hash(), cluster.geo());
    }

    EndpointState pick(PickContext ctx, int cursor) {
        int r = region(ctx.location());
        return r < 0 ? null : sets[r].pick(ctx, cursor + slots[r]);
    }

    /** The region a request from {@code location} goes to, or -1 when no region has an endpoint to pick. */
    int region(ClientLocation location) {
        if (location != null && location.hasCoordinates() && !regions.biased()) {
            int nearest = nearestHealthy(location);
            if (nearest >= 0 && !overloaded(nearest)) {
                return nearest;
            }
        }
        return firstAvailable(regions.order(location));
    }

    /** The healthy region with the largest dot product: no trigonometry, no allocation. */
    private int nearestHealthy(ClientLocation location) {
        int best = -1;
        double bestDot = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < sets.length; r++) {
            if (healthy[r]) {
                double d = regions.dot(location, r);
                if (d > bestDot) {
                    bestDot = d;
                    best = r;
                }
            }
        }
        return best;
    }

    /** The first region in {@code order} with room; else the first healthy one; else the first in panic. */
    private int firstAvailable(int[] order) {
        int overloaded = -1;
        int panicking = -1;
        for (int r : order) {
            if (healthy[r]) {
                if (!overloaded(r)) {
                    return r;
                }
                overloaded = overloaded < 0 ? r : overloaded;
            } else if (panicking < 0 && !sets[r].isEmpty()) {
                panicking = r;
            }
        }
        return overloaded >= 0 ? overloaded : panicking;
    }

    private boolean overloaded(int region) {
        int max = maxInFlight[region];
        if (max == 0) {
            return false;
        }
        AtomicInteger n = regions.inFlight(region);
        return n != null && n.get() > max;
    }

    /**
     * The eligible endpoints in the order a retry should scan them: the region a pick for {@code location} would use
     * first, then the other regions by their distance from it.
     */
    List<EndpointState> retryOrder(ClientLocation location, List<EndpointState> fallback) {
        int r = region(location);
        return r < 0 ? fallback : retryOrder.get(r);
    }

    /** Each region's set, by region index. */
    List<EligibleSet> regionSets() {
        return List.of(sets);
    }

    Regions regions() {
        return regions;
    }

    boolean samePicksAs(GeoSet o) {
        if (regions != o.regions || sets.length != o.sets.length) {
            return false;
        }
        for (int r = 0; r < sets.length; r++) {
            if (healthy[r] != o.healthy[r] || maxInFlight[r] != o.maxInFlight[r]
                    || !sets[r].sameMembersAs(o.sets[r])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (int r = 0; r < sets.length; r++) {
            b.append(r == 0 ? "" : ", ").append(regions.name(r)).append(healthy[r] ? "" : " (failed)")
                    .append(maxInFlight[r] > 0 ? " max " + maxInFlight[r] + " in flight" : "").append('=')
                    .append(sets[r]);
        }
        return b.append('}').toString();
    }
}
