package dev.meridian.health.probe;

import dev.meridian.config.HealthCheckConfig;
import dev.meridian.config.StatusRange;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * A {@link HealthCheckConfig} turned into what a check needs per run: nanoseconds and non-null values. Built once per
 * config, so the event loops never convert durations or fall back to defaults on their own.
 */
record CheckSettings(HealthCheckConfig.Type type, String method, String path, String host,
                     List<StatusRange> expectedStatuses, String bodyContains, long intervalNanos, long timeoutNanos,
                     long jitterNanos, int healthyThreshold, int unhealthyThreshold, long noTrafficIntervalNanos) {
    static final List<StatusRange> DEFAULT_STATUSES = List.of(new StatusRange(200, 399));
    private static final HealthCheckConfig DEFAULTS = HealthCheckConfig.httpDefaults();

    /**
     * The loader fills every default, but configs built in code may leave fields null; an interval under the minimum
     * would turn a check into a busy loop, so it is raised to the minimum rather than trusted.
     */
    static CheckSettings of(HealthCheckConfig c) {
        long interval = Math.max(nanos(c.interval(), DEFAULTS.interval()), HealthCheckConfig.MIN_INTERVAL.toNanos());
        long noTraffic = c.noTrafficInterval() == null ? 0 : Math.max(c.noTrafficInterval().toNanos(), interval);
        return new CheckSettings(
                c.type() == null ? HealthCheckConfig.Type.HTTP : c.type(),
                c.method() == null || c.method().isBlank() ? DEFAULTS.method() : c.method().toUpperCase(Locale.ROOT),
                c.path() == null || c.path().isEmpty() ? DEFAULTS.path() : c.path(),
                c.host() == null || c.host().isBlank() ? null : c.host(),
                c.expectedStatuses().isEmpty() ? DEFAULT_STATUSES : c.expectedStatuses(),
                c.bodyContains() == null || c.bodyContains().isEmpty() ? null : c.bodyContains(),
                interval,
                positive(nanos(c.timeout(), DEFAULTS.timeout()), DEFAULTS.timeout().toNanos()),
                Math.max(0, nanos(c.jitter(), Duration.ZERO)),
                c.healthyThreshold() > 0 ? c.healthyThreshold() : DEFAULTS.healthyThreshold(),
                c.unhealthyThreshold() > 0 ? c.unhealthyThreshold() : DEFAULTS.unhealthyThreshold(),
                noTraffic);
    }

    /** A bare connect check, for one-shot probes of clusters without active checks. */
    static CheckSettings tcp(Duration timeout) {
        return new CheckSettings(HealthCheckConfig.Type.TCP, DEFAULTS.method(), DEFAULTS.path(), null,
                DEFAULT_STATUSES, null, DEFAULTS.interval().toNanos(), timeout.toNanos(), 0,
                DEFAULTS.healthyThreshold(), DEFAULTS.unhealthyThreshold(), 0);
    }

    boolean statusExpected(int status) {
        for (StatusRange r : expectedStatuses) {
            if (r.contains(status)) {
                return true;
            }
        }
        return false;
    }

    /** The accepted statuses as an operator wrote them: {@code 200-399} or {@code 200-299, 404}. */
    String expectedText() {
        StringJoiner j = new StringJoiner(", ");
        for (StatusRange r : expectedStatuses) {
            j.add(r.from() == r.to() ? Integer.toString(r.from()) : r.from() + "-" + r.to());
        }
        return j.toString();
    }

    /** Netty's connect timeout is an int of milliseconds; a sub-millisecond timeout must not become "none". */
    int timeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
    }

    /** Whether a reconfiguration changes when checks run, so the pending one has to be rescheduled. */
    boolean sameTiming(CheckSettings o) {
        return intervalNanos == o.intervalNanos && jitterNanos == o.jitterNanos
                && noTrafficIntervalNanos == o.noTrafficIntervalNanos;
    }

    private static long nanos(Duration d, Duration fallback) {
        return (d == null ? fallback : d).toNanos();
    }

    private static long positive(long value, long fallback) {
        return value > 0 ? value : fallback;
    }
}
