package dev.meridian.config;

import java.time.Duration;

/**
 * Per-route retries. A failed try (connect failure, or the upstream closing or resetting before any response byte)
 * is retried on a different endpoint: for any method when no request byte reached the upstream, for idempotent
 * methods otherwise, and only when the body sent so far was small enough to keep.
 *
 * @param maxRetries       tries after the first (default 2); 0 disables retries
 * @param perTryTimeout    response-header timeout of one try; null: the route's response_header timeout
 * @param retryOn503       also retry idempotent requests answered 503 (default false)
 * @param backoffBase      jittered backoff before retry n is up to base x 2^(n-1) (default 25 ms) ...
 * @param backoffMax       ... capped at this (default 250 ms)
 * @param bufferLimitBytes request bodies up to this are kept for a replay (default 64 KiB)
 * @param hedge            hedging of idempotent requests
 */
public record RetryConfig(int maxRetries, Duration perTryTimeout, boolean retryOn503, Duration backoffBase,
                          Duration backoffMax, int bufferLimitBytes, HedgeConfig hedge) {
    public static final RetryConfig DEFAULT = new RetryConfig(2, null, false, Duration.ofMillis(25),
            Duration.ofMillis(250), 64 * 1024, HedgeConfig.DEFAULT);

    /**
     * When a GET or HEAD has had no response header for max(minDelay, p99Multiplier x the endpoint's recent p99),
     * the same request goes to another endpoint and the first answer wins.
     */
    public record HedgeConfig(boolean enabled, Duration minDelay, double p99Multiplier) {
        public static final HedgeConfig DEFAULT = new HedgeConfig(true, Duration.ofMillis(50), 2.0);
        public static final HedgeConfig OFF = new HedgeConfig(false, Duration.ofMillis(50), 2.0);
    }
}
