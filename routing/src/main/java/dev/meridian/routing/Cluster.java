package dev.meridian.routing;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.routing.balance.ClusterSlot;
import dev.meridian.routing.balance.EligibleSet;
import dev.meridian.routing.balance.Regions;
import java.util.List;

/**
 * A cluster of endpoints with its balancing policy, as of one routing table.
 */
public final class Cluster {
    private final ClusterConfig config;
    private final List<EndpointState> endpoints;
    private final Regions regions;
    private final ClusterSlot eligibility;
    private final int cursor;
    private final RetryBudget retryBudget;

    /** A retry first tries this many ordinary picks, which keep the balance, before it scans for any endpoint. */
    private static final int RETRY_PICKS = 4;

    /** @param regions the config's regions: where the geo and score policies find their coordinates */
    Cluster(ClusterConfig config, List<EndpointState> endpoints, List<RegionConfig> regions, int cursor,
            long nowNanos) {
        this.config = config;
        this.endpoints = List.copyOf(endpoints);
        this.regions = Regions.of(config, regions);
        this.eligibility = new ClusterSlot(EligibleSet.of(this.endpoints, config, this.regions, nowNanos));
        this.cursor = cursor;
        this.retryBudget = new RetryBudget(config.retryBudget().percent(), config.retryBudget().minConcurrent());
    }

    public String name() {
        return config.name();
    }

    public ClusterConfig config() {
        return config;
    }

    /** Every endpoint of the cluster, in config order, eligible or not. */
    public List<EndpointState> endpoints() {
        return endpoints;
    }

    /** Where the endpoints that take traffic now are published; health and admin republish through it. */
    public ClusterSlot eligibility() {
        return eligibility;
    }

    /**
     * Picks an endpoint with the cluster's policy, using this event loop's cursor: no lock, no allocation. Does not
     * count the request in flight; the caller does that when it sends it.
     *
     * @return the endpoint, or null when no endpoint can take traffic
     */
    public EndpointState pick(PickContext ctx) {
        return eligibility.snapshot().pick(ctx, cursor);
    }

    /**
     * Picks an endpoint for a retry: an eligible one that is not among the first {@code triedCount} of {@code tried}.
     * No lock, no allocation.
     *
     * @return the endpoint, or null when every eligible endpoint was tried
     */
    public EndpointState pickExcluding(PickContext ctx, EndpointState[] tried, int triedCount) {
        EligibleSet set = eligibility.snapshot();
        EndpointState fallback = null;
        for (int i = 0; i < RETRY_PICKS; i++) {
            EndpointState e = set.pick(ctx, cursor);
            if (e == null) {
                return null;
            }
            if (!contains(tried, triedCount, e)) {
                // In panic mode the table holds endpoints known to be down: a retry must get away from those.
                if (e.status().takesTraffic()) {
                    return e;
                }
                fallback = fallback == null ? e : fallback;
            }
        }
        List<EndpointState> members = set.members(ctx);
        EndpointState e = firstUntried(members, tried, triedCount, true);
        if (e == null) {
            e = firstUntried(set.spares(), tried, triedCount, true);
        }
        if (e == null) {
            e = fallback != null ? fallback : firstUntried(members, tried, triedCount, false);
        }
        return e;
    }

    private static EndpointState firstUntried(List<EndpointState> candidates, EndpointState[] tried, int count,
                                              boolean takingTrafficOnly) {
        for (int i = 0; i < candidates.size(); i++) {
            EndpointState e = candidates.get(i);
            if (!contains(tried, count, e) && (!takingTrafficOnly || e.status().takesTraffic())) {
                return e;
            }
        }
        return null;
    }

    private static boolean contains(EndpointState[] tried, int count, EndpointState e) {
        for (int i = 0; i < count; i++) {
            if (tried[i] == e) {
                return true;
            }
        }
        return false;
    }

    /**
     * Rebuilds the eligible set from the endpoints' current status and weights and publishes it, unless nothing a
     * pick could see changed. The health control thread calls it on every status change.
     *
     * @return the set current after the call
     */
    public EligibleSet republish(long nowNanos) {
        return eligibility.republish(prev -> EligibleSet.of(endpoints, config, regions, nowNanos));
    }

    /**
     * Points each endpoint's region in-flight count at this cluster's counters (or at none when the cluster does not
     * spill on load). Called once the table that holds this cluster is certain to be published.
     */
    void countRegionInFlight() {
        for (int i = 0; i < endpoints.size(); i++) {
            endpoints.get(i).countRegionInFlight(regions.inFlight(regions.regionOfEndpoint(i)));
        }
    }

    /** Retries and hedges to this cluster spend from here. */
    public RetryBudget retryBudget() {
        return retryBudget;
    }

    @Override
    public String toString() {
        return "Cluster[" + name() + "]";
    }
}
