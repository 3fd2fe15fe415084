package dev.meridian.routing;

import dev.meridian.config.ClusterConfig;
import dev.meridian.routing.balance.ClusterSlot;
import dev.meridian.routing.balance.EligibleSet;
import java.util.List;

/**
 * A cluster of endpoints with its balancing policy, as of one routing table.
 */
public final class Cluster {
    private final ClusterConfig config;
    private final List<EndpointState> endpoints;
    private final ClusterSlot eligibility;
    private final int cursor;
    private final RetryBudget retryBudget;

    Cluster(ClusterConfig config, List<EndpointState> endpoints, int cursor) {
        this.config = config;
        this.endpoints = List.copyOf(endpoints);
        this.eligibility = new ClusterSlot(EligibleSet.of(this.endpoints, config.endpoints()));
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
        EligibleSet set = eligibility.snapshot();
        return set.isEmpty() ? null : set.pick(ctx.nextTicket(cursor));
    }

    /**
     * An eligible endpoint not among {@code tried}, for a retry; null when every eligible endpoint was tried.
     */
    public EndpointState pickExcluding(PickContext ctx, EndpointState[] tried, int triedCount) {
        EligibleSet set = eligibility.snapshot();
        for (int attempt = 0; attempt < 4; attempt++) {
            EndpointState e = set.pick(ctx.nextTicket(cursor));
            if (e == null) {
                return null;
            }
            if (!contains(tried, triedCount, e)) {
                return e;
            }
        }
        for (EndpointState e : set.members()) {
            if (!contains(tried, triedCount, e)) {
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

    /** Retries and hedges to this cluster spend from here. */
    public RetryBudget retryBudget() {
        return retryBudget;
    }

    @Override
    public String toString() {
        return "Cluster[" + name() + "]";
    }
}
