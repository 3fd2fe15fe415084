package dev.meridian.routing;

import dev.meridian.config.MeridianConfig;
import java.util.List;

/**
 * An immutable snapshot of routes and clusters built from a validated config. Matching: host first (exact, then the
 * longest {@code *.suffix} wildcard, then routes with no host), then the longest path prefix (an exact path beats any
 * prefix), then declared order. Header conditions filter candidates. Thread-safe, lock-free, allocation-free.
 */
public final class RoutingTable {

    /**
     * Builds a table. Endpoint states whose id exists in {@code previous} are carried over, so live figures survive a
     * reload. Resolves endpoint host names, so never call it on an event loop.
     *
     * @param previous the table being replaced, or null
     */
    public static RoutingTable build(MeridianConfig config, RoutingTable previous) {
        throw new UnsupportedOperationException("being written");
    }

    public MeridianConfig config() {
        throw new UnsupportedOperationException("being written");
    }

    /** 1 for the first table, previous + 1 for each rebuild. */
    public long version() {
        throw new UnsupportedOperationException("being written");
    }

    /**
     * The route for a request, or null when none matches.
     *
     * @param host    the Host header as received (any case, may carry a port), or null
     * @param uri     the request target in origin form; the query, if any, is ignored
     * @param headers the request's headers
     */
    public Route match(CharSequence host, CharSequence uri, HeaderLookup headers) {
        throw new UnsupportedOperationException("being written");
    }

    public List<Route> routes() {
        throw new UnsupportedOperationException("being written");
    }

    public List<Cluster> clusters() {
        throw new UnsupportedOperationException("being written");
    }

    /** The cluster of that name, or null. */
    public Cluster cluster(String name) {
        throw new UnsupportedOperationException("being written");
    }

    /** How many per-event-loop cursors {@link PickContext} needs for this table (clusters and splits). */
    public int cursorSlots() {
        throw new UnsupportedOperationException("being written");
    }
}
