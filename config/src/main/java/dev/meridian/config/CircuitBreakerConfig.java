package dev.meridian.config;

/**
 * A cluster's absolute limits, beyond which requests are refused at once (503 with {@code Retry-After}) instead of
 * queueing: Envoy's circuit breaker thresholds, with its defaults.
 *
 * @param maxConnections     upstream connections open to the cluster, idle ones included, across all event loops
 * @param maxPendingRequests requests waiting for a new upstream connection to open
 * @param maxRequests        requests in flight to the cluster; automatic shedding starts below it (see
 *                           {@code LoadShedding} in the routing module)
 * @param maxRetries         retries and hedges in flight to the cluster at once, whatever the retry budget allows;
 *                           {@link #BUDGET_DECIDES} when not set: Envoy ignores its default of 3 once a retry budget
 *                           is configured, and every Meridian cluster has one
 */
public record CircuitBreakerConfig(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {
    /** No absolute cap on concurrent retries: the retry budget alone bounds them. */
    public static final int BUDGET_DECIDES = Integer.MAX_VALUE;
    public static final CircuitBreakerConfig DEFAULT = new CircuitBreakerConfig(1024, 1024, 1024, BUDGET_DECIDES);

    public CircuitBreakerConfig {
        if (maxConnections < 1 || maxPendingRequests < 1 || maxRequests < 1 || maxRetries < 0) {
            throw new IllegalArgumentException("circuit breaker limits: " + maxConnections + ", " + maxPendingRequests
                    + ", " + maxRequests + ", " + maxRetries + " (expected: >= 1, >= 1, >= 1, >= 0)");
        }
    }
}
