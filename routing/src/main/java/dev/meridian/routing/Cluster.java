package dev.meridian.routing;

import dev.meridian.config.ClusterConfig;
import java.util.List;

/**
 * A cluster of endpoints with its balancing policy, as of one routing table.
 */
public final class Cluster {

    public String name() {
        throw new UnsupportedOperationException("being written");
    }

    public ClusterConfig config() {
        throw new UnsupportedOperationException("being written");
    }

    /** Every endpoint of the cluster, in config order, eligible or not. */
    public List<EndpointState> endpoints() {
        throw new UnsupportedOperationException("being written");
    }

    /**
     * Picks an endpoint with the cluster's policy, using this event loop's cursor: no lock, no allocation. Does not
     * count the request in flight; the caller does that when it sends it.
     *
     * @return the endpoint, or null when no endpoint can take traffic
     */
    public EndpointState pick(PickContext ctx) {
        throw new UnsupportedOperationException("being written");
    }
}
