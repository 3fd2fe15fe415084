package dev.meridian.routing;

import dev.meridian.config.RouteConfig;
import dev.meridian.config.TimeoutsConfig;
import dev.meridian.routing.balance.WeightedTable;
import dev.meridian.routing.residency.Residency;

/**
 * A matched route: its config and where its requests go.
 */
public final class Route {
    private Object meters;
    private final RouteConfig config;
    private final TimeoutsConfig timeouts;
    /** The target when the route names one cluster; null for a split. */
    private final Cluster cluster;
    /** The arms of a weighted split; null when the route names one cluster. */
    private final WeightedTable<Cluster> split;
    private final int cursor;
    private final Residency residency;

    private Route(RouteConfig config, Cluster cluster, WeightedTable<Cluster> split, int cursor,
                  Residency residency) {
        this.config = config;
        this.timeouts = config.timeouts() == null ? TimeoutsConfig.DEFAULT : config.timeouts();
        this.cluster = cluster;
        this.split = split;
        this.cursor = cursor;
        this.residency = residency;
    }

    Route withResidency(Residency rules) {
        return new Route(config, cluster, split, cursor, rules);
    }

    /** The route's data-residency rules, or null when it has none. */
    public Residency residency() {
        return residency;
    }

    static Route toCluster(RouteConfig config, Cluster cluster) {
        return new Route(config, cluster, null, -1, null);
    }

    static Route toSplit(RouteConfig config, WeightedTable<Cluster> split, int cursor) {
        return new Route(config, null, split, cursor, null);
    }

    public String name() {
        return config.name();
    }

    /**
     * The data plane's counters for this route, bound once when the table is built and before it is published, so
     * a request reaches them without a lookup by name. Opaque here: routing does not know how the proxy counts.
     * Null until bound (a table built by a test or a benchmark may never be).
     */
    public Object meters() {
        return meters;
    }

    /** Binds {@link #meters()}; only before the table is published, which is what makes the plain field safe. */
    public void bindMeters(Object meters) {
        this.meters = meters;
    }

    public RouteConfig config() {
        return config;
    }

    /** The route's timeouts, or the defaults when it declares none. */
    public TimeoutsConfig timeouts() {
        return timeouts;
    }

    /**
     * The target cluster: the only one, or one drawn from the weighted split with this loop's cursor. Null only for a
     * split whose arms all weigh 0.
     */
    public Cluster selectCluster(PickContext ctx) {
        if (cluster != null) {
            return cluster;
        }
        return split.isEmpty() ? null : split.pick(ctx.nextTicket(cursor));
    }

    @Override
    public String toString() {
        return "Route[" + name() + "]";
    }
}
