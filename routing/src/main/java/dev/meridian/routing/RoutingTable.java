package dev.meridian.routing;

import dev.meridian.config.MeridianConfig;
import dev.meridian.routing.explain.Decision;
import dev.meridian.routing.explain.ExplainRequest;
import dev.meridian.routing.explain.Explainer;
import dev.meridian.routing.geo.GeoLocator;
import dev.meridian.routing.match.RequestMatcher;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of routes and clusters built from a validated config. Matching: host first (exact, then the
 * longest {@code *.suffix} wildcard, then routes with no host), then the longest path prefix (an exact path beats any
 * prefix), then declared order. Header conditions filter candidates. Thread-safe, lock-free, allocation-free.
 */
public final class RoutingTable {
    private final MeridianConfig config;
    private final long version;
    private final List<Route> routes;
    private final Map<String, Cluster> clusters;
    private final List<Cluster> clusterList;
    private final Map<String, EndpointState> endpointsById;
    private final RequestMatcher<Route> matcher;
    private final int cursorSlots;
    private final GeoLocator locator;

    RoutingTable(MeridianConfig config, long version, List<Route> routes, Map<String, Cluster> clusters,
                 Map<String, EndpointState> endpointsById, RequestMatcher<Route> matcher, int cursorSlots,
                 GeoLocator locator) {
        this.config = config;
        this.version = version;
        this.routes = routes;
        this.clusters = clusters;
        this.clusterList = List.copyOf(clusters.values());
        this.endpointsById = endpointsById;
        this.matcher = matcher;
        this.cursorSlots = cursorSlots;
        this.locator = locator;
    }

    /**
     * Builds a table. Endpoint states whose id exists in {@code previous} are carried over, so live figures survive a
     * reload. Resolves endpoint host names, so never call it on an event loop.
     *
     * @param previous the table being replaced, or null
     * @throws IllegalArgumentException when the config breaks a rule the loader should have enforced (duplicate ids
     *                                  or names, unknown clusters); {@code previous} and its states are then untouched
     */
    public static RoutingTable build(MeridianConfig config, RoutingTable previous) {
        return build(config, previous, System.nanoTime());
    }

    /**
     * As {@link #build(MeridianConfig, RoutingTable)}, with eligibility (slow-start ramps) computed as of
     * {@code nowNanos} on the health subsystem's clock.
     */
    public static RoutingTable build(MeridianConfig config, RoutingTable previous, long nowNanos) {
        return RoutingTableBuilder.build(config, previous, nowNanos);
    }

    public MeridianConfig config() {
        return config;
    }

    /** 1 for the first table, previous + 1 for each rebuild. */
    public long version() {
        return version;
    }

    /**
     * The route for a request, or null when none matches.
     *
     * @param host    the Host header as received (any case, may carry a port), or null
     * @param uri     the request target in origin form; the query, if any, is ignored
     * @param headers the request's headers
     */
    public Route match(CharSequence host, CharSequence uri, HeaderLookup headers) {
        return matcher.match(host, uri, headers == null ? HeaderLookup.NONE : headers);
    }

    /**
     * Why a request with these attributes would go where it goes now: route, cluster, filters, figures and winner.
     * For operators (the admin port); allocates, never call it per request.
     */
    public Decision explain(ExplainRequest request) {
        return Explainer.explain(this, request);
    }

    public List<Route> routes() {
        return routes;
    }

    public List<Cluster> clusters() {
        return clusterList;
    }

    /** The cluster of that name, or null. */
    public Cluster cluster(String name) {
        return clusters.get(name);
    }

    /** The state of the endpoint with that id, or null when no cluster of this table has it. */
    public EndpointState endpoint(String id) {
        return endpointsById.get(id);
    }

    /** How many per-event-loop cursors {@link PickContext} needs for this table (clusters and splits). */
    public int cursorSlots() {
        return cursorSlots;
    }

    /** Where clients are, from this table's config: swapped with the table on reload. */
    public GeoLocator locator() {
        return locator;
    }

    Map<String, EndpointState> endpointsById() {
        return endpointsById;
    }

    @Override
    public String toString() {
        return "RoutingTable[v" + version + ", " + routes.size() + " routes, " + clusters.size() + " clusters, from "
                + config.source() + "]";
    }
}
