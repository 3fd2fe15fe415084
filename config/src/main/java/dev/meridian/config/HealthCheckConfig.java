package dev.meridian.config;

import java.time.Duration;
import java.util.List;

/**
 * Active health checks of a cluster's endpoints.
 *
 * @param type               {@code http} (a request, its status and optionally its body checked) or {@code tcp}
 *                           (a connect is enough)
 * @param method             HTTP method, default GET
 * @param path               HTTP path, default {@code /}
 * @param host               Host header; null: the endpoint's address
 * @param expectedStatuses   accepted status ranges, default 200-399
 * @param bodyContains       the response body must contain this; null: not checked
 * @param interval           between two checks of one endpoint, at least 50 ms; default 1 s
 * @param timeout            for one check (connect + response), default 500 ms
 * @param jitter             a random delay up to this is added to each interval, default 0
 * @param healthyThreshold   consecutive passes that make an unhealthy endpoint healthy (rise), default 2
 * @param unhealthyThreshold consecutive failures that make a healthy endpoint unhealthy (fall), default 2
 * @param noTrafficInterval  the slower interval for endpoints that got no request since the last check; null: same
 */
public record HealthCheckConfig(Type type, String method, String path, String host,
                                List<StatusRange> expectedStatuses, String bodyContains, Duration interval,
                                Duration timeout, Duration jitter, int healthyThreshold, int unhealthyThreshold,
                                Duration noTrafficInterval) {
    public static final Duration MIN_INTERVAL = Duration.ofMillis(50);

    /** How an endpoint is checked. */
    public enum Type { HTTP, TCP }

    public HealthCheckConfig {
        expectedStatuses = expectedStatuses == null ? List.of() : List.copyOf(expectedStatuses);
    }

    /** HTTP GET / every second, 2xx and 3xx healthy, rise 2, fall 2. */
    public static HealthCheckConfig httpDefaults() {
        return new HealthCheckConfig(Type.HTTP, "GET", "/", null, List.of(new StatusRange(200, 399)), null,
                Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ZERO, 2, 2, null);
    }

    public boolean statusExpected(int status) {
        for (StatusRange r : expectedStatuses) {
            if (r.contains(status)) {
                return true;
            }
        }
        return false;
    }
}
