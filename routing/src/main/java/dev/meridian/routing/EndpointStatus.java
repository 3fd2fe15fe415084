package dev.meridian.routing;

/**
 * One status per endpoint, combining every source, in order of precedence: an admin state beats an outlier
 * ejection, which beats failed active checks, which beat latency degradation.
 */
public enum EndpointStatus {
    /** Set by an operator: takes no traffic, not even in panic mode. */
    MAINTENANCE,
    /** Set by an operator: no new requests; in-flight ones finish. */
    DRAINING,
    /** Removed by passive outlier detection until its ejection time ends and a probe passes. */
    EJECTED,
    /** Failed its active checks {@code fall} times in a row. */
    UNHEALTHY,
    /** Answers, but slowly: keeps a reduced share of its weight. */
    DEGRADED,
    HEALTHY;

    /** Whether the endpoint counts as healthy capacity (HEALTHY or DEGRADED). */
    public boolean takesTraffic() {
        return this == HEALTHY || this == DEGRADED;
    }
}
