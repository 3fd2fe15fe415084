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
    LATENCY;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
