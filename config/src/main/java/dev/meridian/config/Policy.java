package dev.meridian.config;

import java.util.Locale;

/**
 * Balancing policies a cluster may name in {@code policy:}. The YAML spelling is the lower-case name.
 */
public enum Policy {
    /** Weighted round-robin, interleaved (smooth) so heavy endpoints do not get bursts. */
    WEIGHTED,
    /** Weighted random: each pick independent, so per-loop cursors cannot line up across event loops. */
    RANDOM,
    /** Power of two choices, keeping the endpoint with more weight per request in flight. */
    LEAST_REQUEST,
    /**
     * Power of two choices on Peak-EWMA response time times requests in flight; reacts to slow endpoints before
     * their queues build up.
     */
    LATENCY,
    /** Consistent hashing on a ring of virtual nodes (Ketama); the key is set per cluster in {@code hash:}. */
    RING_HASH,
    /** Consistent hashing with Google's Maglev lookup table: even spread, ~1/N keys move when one endpoint goes. */
    MAGLEV,
    /** Nearest region first by great-circle distance to the client, then the cluster's {@code geo.within} policy. */
    GEO,
    /** Power of two choices on one multi-objective cost from live figures, weighted per route. */
    SCORE;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
