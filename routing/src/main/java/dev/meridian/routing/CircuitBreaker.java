package dev.meridian.routing;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.CircuitBreakerConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.RouteConfig;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cluster's hard limits and its automatic shedding, checked per request without a lock: requests in flight,
 * connections open, requests waiting for a connection. A request over a limit is refused at once; nothing waits.
 * (Retries in flight are capped by the cluster's {@link RetryBudget}, which counts them already.)
 *
 * <p>The counts live in one {@link Counts} per cluster name that every table carrying the cluster shares, so a
 * reload neither forgets the requests in flight nor lets twice the limit through while they finish. The limits are
 * the table's own. The counts are single atomics rather than striped adders: a limit needs the exact figure at
 * once, and one increment per request on one cache line per cluster is what Envoy pays too.
 */
public final class CircuitBreaker {
    /** What {@link #admit} decided; only {@link #ADMITTED} took a request slot. */
    public enum Verdict {
        ADMITTED,
        /** {@code max_requests} are in flight. */
        MAX_REQUESTS,
        /** The in-flight count is high enough for this request's tier to be shed ({@link ShedLadder}). */
        SHED_IN_FLIGHT,
        /** The offered rate outgrew healthy capacity, and this request's tier is among those shed. */
        SHED_CAPACITY
    }

    private final CircuitBreakerConfig limits;
    private final int[] shedAt;
    private final Counts counts;
    /** The sum of the endpoints' {@code capacity}; 0 when some endpoint with weight gives none (no rate shedding). */
    private final double totalCapacity;

    /** The live figures of one cluster name, shared by every table that has it. */
    static final class Counts {
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger pending = new AtomicInteger();
        /** Requests that arrived, per tier, admitted or not: the demand rate shedding compares with capacity. */
        final LongAdder[] offered = new LongAdder[RouteConfig.LOWEST_TIER + 1];
        /** The highest tier the capacity signal lets through; written by one sampler, read per request. */
        volatile int capacityTier = RouteConfig.LOWEST_TIER;

        Counts() {
            for (int i = 0; i < offered.length; i++) {
                offered[i] = new LongAdder();
            }
        }
    }

    /** @param previous the breaker of the same cluster in the table this one replaces; null: none */
    CircuitBreaker(ClusterConfig cluster, CircuitBreaker previous) {
        this.limits = cluster.circuitBreaker();
        this.shedAt = ShedLadder.inFlightThresholds(limits.maxRequests());
        this.counts = previous == null ? new Counts() : previous.counts;
        this.totalCapacity = totalCapacity(cluster);
    }

    private static double totalCapacity(ClusterConfig cluster) {
        double sum = 0;
        for (EndpointConfig e : cluster.endpoints()) {
            if (e.weight() > 0) {
                if (e.capacity() <= 0) {
                    return 0;
                }
                sum += e.capacity();
            }
        }
        return sum;
    }

    public CircuitBreakerConfig limits() {
        return limits;
    }

    /**
     * Takes a request slot unless a limit or the shedding of {@code tier} refuses it. Pass
     * {@link RouteConfig#CRITICAL_TIER} to check the hard limit alone (automatic shedding off).
     */
    public Verdict admit(int tier) {
        Counts c = counts;
        if (totalCapacity > 0) {
            c.offered[tier].increment();
        }
        if (tier > c.capacityTier) {
            return Verdict.SHED_CAPACITY;
        }
        int before = c.requests.getAndIncrement();
        if (before < shedAt[tier]) {
            return Verdict.ADMITTED;
        }
        c.requests.decrementAndGet();
        return before >= limits.maxRequests() ? Verdict.MAX_REQUESTS : Verdict.SHED_IN_FLIGHT;
    }

    /** The request admitted by {@link #admit} ended. */
    public void requestEnded() {
        counts.requests.decrementAndGet();
    }

    /** Takes a connection slot; false when {@code max_connections} are open. */
    public boolean tryOpenConnection() {
        return tryTake(counts.connections, limits.maxConnections());
    }

    /** A connection counted by {@link #tryOpenConnection} closed (or never opened). */
    public void connectionClosed() {
        counts.connections.decrementAndGet();
    }

    /** Counts a request waiting for a new connection; false when {@code max_pending_requests} already wait. */
    public boolean tryStartPending() {
        return tryTake(counts.pending, limits.maxPendingRequests());
    }

    /** The request counted by {@link #tryStartPending} has its connection, or stopped waiting for it. */
    public void pendingEnded() {
        counts.pending.decrementAndGet();
    }

    private static boolean tryTake(AtomicInteger count, int max) {
        if (count.getAndIncrement() < max) {
            return true;
        }
        count.decrementAndGet();
        return false;
    }

    public int requestsInFlight() {
        return counts.requests.get();
    }

    public int connectionsOpen() {
        return counts.connections.get();
    }

    public int pendingRequests() {
        return counts.pending.get();
    }

    /** Whether the endpoints give a capacity, so the offered rate can be compared with it. */
    public boolean capacityAware() {
        return totalCapacity > 0;
    }

    /** The sum of the endpoints' capacities; 0 when not {@link #capacityAware()}. */
    public double totalCapacity() {
        return totalCapacity;
    }

    /** Requests offered so far, per tier, admitted or not; counted only when {@link #capacityAware()}. */
    public long offered(int tier) {
        return counts.offered[tier].sum();
    }

    /** The highest tier the capacity signal serves now. */
    public int capacityTier() {
        return counts.capacityTier;
    }

    /** Set by the one sampler that compares the offered rate with healthy capacity. */
    public void capacityTier(int tier) {
        counts.capacityTier = Math.max(RouteConfig.CRITICAL_TIER, Math.min(RouteConfig.LOWEST_TIER, tier));
    }
}
