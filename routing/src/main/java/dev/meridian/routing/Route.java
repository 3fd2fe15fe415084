package dev.meridian.routing;

import dev.meridian.config.RouteConfig;
import dev.meridian.config.TimeoutsConfig;

/**
 * A matched route: its config and where its requests go.
 */
public final class Route {

    public String name() {
        throw new UnsupportedOperationException("being written");
    }

    public RouteConfig config() {
        throw new UnsupportedOperationException("being written");
    }

    public TimeoutsConfig timeouts() {
        throw new UnsupportedOperationException("being written");
    }

    /** The target cluster: the only one, or one drawn from the weighted split with this loop's cursor. */
    public Cluster selectCluster(PickContext ctx) {
        throw new UnsupportedOperationException("being written");
    }
}
