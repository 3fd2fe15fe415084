package dev.meridian.config;

import java.time.Duration;

/**
 * Passive outlier detection from live traffic, per cluster.
 *
 * @param consecutiveGatewayFailures connect refused / reset / connect timeout in a row that eject (default 1: a
 *                                   killed endpoint leaves at its first failure); 0 disables
 * @param consecutive5xx             5xx responses in a row that eject (default 5); 0 disables
 * @param failureRate                failure-percentage detector over a sliding window; null: off
 * @param latency                    p99 detector that degrades (lowers the weight of) a slow endpoint; null: off
 * @param baseEjectionTime           an ejection lasts this times the endpoint's number of ejections (default 1 s)
 * @param maxEjectionTime            ... capped at this (default 30 s)
 * @param maxEjectionPercent         at most this share of the cluster's endpoints ejected at once (default 50)
 * @param alwaysEjectOne             one endpoint may be ejected even where the percentage allows none (default
 *                                   false: a cluster is never emptied by outlier detection alone)
 */
public record OutlierConfig(int consecutiveGatewayFailures, int consecutive5xx, FailureRateConfig failureRate,
                            LatencyConfig latency, Duration baseEjectionTime, Duration maxEjectionTime,
                            int maxEjectionPercent, boolean alwaysEjectOne) {
    public static final OutlierConfig DEFAULT = new OutlierConfig(1, 5, null, null, Duration.ofSeconds(1),
            Duration.ofSeconds(30), 50, false);

    /**
     * @param thresholdPercent failures (gateway failures and 5xx) over requests in the window that eject
     * @param minimumRequests  fewer requests than this in the window never eject
     * @param window           the sliding window's length
     */
    public record FailureRateConfig(int thresholdPercent, int minimumRequests, Duration window) {
        public static final FailureRateConfig DEFAULT = new FailureRateConfig(50, 20, Duration.ofSeconds(10));
    }

    /**
     * @param p99Threshold          an endpoint whose p99 over the window exceeds this becomes DEGRADED
     * @param minimumRequests       fewer requests than this in the window never degrade
     * @param window                the sliding window's length (default 10 s)
     * @param degradedWeightPercent a DEGRADED endpoint keeps this share of its weight (default 25)
     */
    public record LatencyConfig(Duration p99Threshold, int minimumRequests, Duration window,
                                int degradedWeightPercent) {
    }
}
