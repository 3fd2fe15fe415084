package dev.meridian.routing;

import java.util.concurrent.atomic.LongAdder;

/**
 * Requests in flight to a cluster's endpoints, in all: the average that bounded-load hashing compares an endpoint
 * with, kept as a running total so a pick reads one figure instead of summing its members. Every endpoint of the
 * cluster counts into the same instance ({@link EndpointState#requestStarted()}); a reload that keeps the cluster's
 * name keeps the instance, so requests started before the reload end on the total they started on.
 *
 * <p>Striped: every event loop writes it twice per request and only bounded-load picks read it.
 */
public final class ClusterLoad {
    private final String cluster;
    private final LongAdder inFlight = new LongAdder();

    ClusterLoad(String cluster) {
        this.cluster = cluster;
    }

    /** The name of the cluster counted here. */
    public String cluster() {
        return cluster;
    }

    /** Requests in flight now; never negative, even while an endpoint moving between clusters is transferred. */
    public long inFlight() {
        return Math.max(0, inFlight.sum());
    }

    void add(long requests) {
        inFlight.add(requests);
    }
}
