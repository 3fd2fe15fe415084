package dev.meridian.config;

import dev.meridian.config.OutlierConfig.FailureRateConfig;
import dev.meridian.config.OutlierConfig.LatencyConfig;
import dev.meridian.config.RetryConfig.HedgeConfig;
import dev.meridian.config.YamlNode.YamlList;
import dev.meridian.config.YamlNode.YamlScalar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds the sections that decide how endpoint health is judged and how failures are absorbed: a cluster's
 * health_check, outlier_detection, slow_start, priority, status_thresholds and retry_budget, and a route's retries.
 * Kept apart from {@link ConfigBinder} because these sections carry most of the cross-field rules (one duration
 * bounded by another, thresholds in order), and those rules only compare values that were read cleanly: a value
 * already reported as wrong must not also be blamed for breaking an order it never took part in.
 */
final class ResilienceBinder {
    static final Schema HEALTH_CHECK = new Schema("health check", "health checks",
            List.of("type", "method", "path", "host", "expected_statuses", "body_contains", "interval", "timeout",
                    "jitter", "healthy_threshold", "unhealthy_threshold", "no_traffic_interval"),
            List.of());
    static final Schema OUTLIER = new Schema("outlier detection", "outlier detections",
            List.of("consecutive_gateway_failures", "consecutive_5xx", "failure_percentage", "latency",
                    "base_ejection_time", "max_ejection_time", "max_ejection_percent", "always_eject_one"),
            List.of());
    static final Schema FAILURE_PERCENTAGE = new Schema("failure percentage detector",
            "failure percentage detectors", List.of("threshold", "minimum_requests", "window"), List.of());
    static final Schema LATENCY = new Schema("latency detector", "latency detectors",
            List.of("p99_threshold", "minimum_requests", "window", "degraded_weight_percent"),
            List.of("p99_threshold"));
    static final Schema SLOW_START = new Schema("slow start", "slow starts",
            List.of("window", "floor_percent"), List.of());
    static final Schema PRIORITY = new Schema("priority spill-over", "priority spill-overs",
            List.of("overprovisioning_factor", "panic_threshold"), List.of());
    static final Schema STATUS_THRESHOLDS = new Schema("status thresholds", "status thresholds",
            List.of("healthy", "degraded", "critical"), List.of());
    static final Schema RETRY_BUDGET = new Schema("retry budget", "retry budgets",
            List.of("percent", "min_concurrent"), List.of());
    static final Schema RETRIES = new Schema("retry policy", "retry policies",
            List.of("max", "per_try_timeout", "retry_on_503", "backoff_base", "backoff_max", "buffer_limit", "hedge"),
            List.of());
    static final Schema HEDGE = new Schema("hedge", "hedges", List.of("enabled", "min_delay", "p99_multiplier"),
            List.of());

    private static final List<String> HTTP_ONLY = List.of("method", "path", "host", "expected_statuses",
            "body_contains");
    private static final List<String> TYPES = List.of("http", "tcp");
    private static final Set<String> STANDARD_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    private static final Pattern STATUS_RANGE = Pattern.compile("(\\d{1,4})(?:\\s*-\\s*(\\d{1,4}))?");
    private static final Pattern STATUS_CLASS = Pattern.compile("([1-5])xx", Pattern.CASE_INSENSITIVE);
    private static final String STATUS_HINT = "a status such as 204 or an inclusive range such as 200-299";
    private static final int MAX_BUFFER_LIMIT = 16 << 20;

    private final Problems problems;

    ResilienceBinder(Problems problems) {
        this.problems = problems;
    }

    HealthCheckConfig healthCheck(Fields f) {
        HealthCheckConfig d = HealthCheckConfig.httpDefaults();
        HealthCheckConfig.Type type = type(f);
        String method = d.method();
        String path = d.path();
        String host = null;
        List<StatusRange> statuses = d.expectedStatuses();
        String bodyContains = null;
        if (type == HealthCheckConfig.Type.TCP) {
            for (String key : HTTP_ONLY) {
                YamlScalar k = f.key(key);
                if (k != null) {
                    problems.add(k, "'" + key + "' does not apply to a tcp health check",
                            "only for type: http; a tcp check passes once the connection opens");
                }
            }
        } else {
            method = method(f, d.method());
            path = path(f, d.path());
            host = host(f);
            statuses = f.has("expected_statuses") ? statuses(f, d.expectedStatuses()) : d.expectedStatuses();
            bodyContains = bodyContains(f);
        }
        Duration interval = duration(f, "interval", d.interval(), false);
        if (interval != null && interval.compareTo(HealthCheckConfig.MIN_INTERVAL) < 0) {
            problems.add(f.value("interval"), "interval " + Durations.format(interval) + " out of range",
                    ">= " + Durations.format(HealthCheckConfig.MIN_INTERVAL)
                            + "; faster checks load every endpoint without finding failures sooner than live traffic");
            interval = null;
        }
        Duration noTraffic = duration(f, "no_traffic_interval", null, false);
        if (noTraffic != null && interval != null && noTraffic.compareTo(interval) < 0) {
            problems.add(f.value("no_traffic_interval"), "no_traffic_interval " + Durations.format(noTraffic)
                            + " is shorter than interval " + Durations.format(interval),
                    "it is the slower pace for endpoints without traffic: at least the interval, or leave it out");
        }
        return new HealthCheckConfig(type, method, path, host, statuses, bodyContains, or(interval, d.interval()),
                f.duration("timeout", d.timeout(), false), f.duration("jitter", d.jitter(), true),
                f.integer("healthy_threshold", d.healthyThreshold(), 1, 100),
                f.integer("unhealthy_threshold", d.unhealthyThreshold(), 1, 100), noTraffic);
    }

    OutlierConfig outlier(Fields f) {
        OutlierConfig d = OutlierConfig.DEFAULT;
        int gatewayFailures = f.integer("consecutive_gateway_failures", d.consecutiveGatewayFailures(), 0, 1000);
        int consecutive5xx = f.integer("consecutive_5xx", d.consecutive5xx(), 0, 1000);
        Fields rateFields = f.nested("failure_percentage", FAILURE_PERCENTAGE);
        FailureRateConfig rate = rateFields == null ? d.failureRate() : failureRate(rateFields);
        Fields latencyFields = f.nested("latency", LATENCY);
        LatencyConfig latency = latencyFields == null ? d.latency() : latency(latencyFields);
        Duration base = duration(f, "base_ejection_time", d.baseEjectionTime(), false);
        Duration max = duration(f, "max_ejection_time", d.maxEjectionTime(), false);
        if (base != null && max != null && max.compareTo(base) < 0) {
            boolean maxGiven = f.has("max_ejection_time");
            problems.add(maxGiven ? f.value("max_ejection_time") : f.value("base_ejection_time"),
                    "max_ejection_time " + Durations.format(max) + " is shorter than base_ejection_time "
                            + Durations.format(base),
                    "repeated ejections grow from the base up to the max"
                            + (maxGiven ? "" : "; max_ejection_time defaults to " + Durations.format(max)));
        }
        return new OutlierConfig(gatewayFailures, consecutive5xx, rate, latency, or(base, d.baseEjectionTime()),
                or(max, d.maxEjectionTime()), f.integer("max_ejection_percent", d.maxEjectionPercent(), 0, 100),
                f.bool("always_eject_one", d.alwaysEjectOne()));
    }

    SlowStartConfig slowStart(Fields f) {
        SlowStartConfig d = SlowStartConfig.DEFAULT;
        // A zero window is how slow start is switched off.
        return new SlowStartConfig(f.duration("window", d.window(), true),
                f.integer("floor_percent", d.floorPercent(), 1, 100));
    }

    PriorityConfig priority(Fields f) {
        PriorityConfig d = PriorityConfig.DEFAULT;
        return new PriorityConfig(f.decimal("overprovisioning_factor", d.overprovisioningFactor(), 1.0, 10.0),
                f.integer("panic_threshold", d.panicThresholdPercent(), 0, 100));
    }

    StatusThresholds statusThresholds(Fields f) {
        StatusThresholds d = StatusThresholds.DEFAULT;
        Integer healthy = percent(f, "healthy", d.healthyPercent());
        Integer degraded = percent(f, "degraded", d.degradedPercent());
        Integer critical = percent(f, "critical", d.criticalPercent());
        descending(f, "healthy", healthy, "degraded", degraded);
        descending(f, "degraded", degraded, "critical", critical);
        return new StatusThresholds(or(healthy, d.healthyPercent()), or(degraded, d.degradedPercent()),
                or(critical, d.criticalPercent()));
    }

    RetryBudgetConfig retryBudget(Fields f) {
        RetryBudgetConfig d = RetryBudgetConfig.DEFAULT;
        return new RetryBudgetConfig(f.integer("percent", d.percent(), 0, 100),
                f.integer("min_concurrent", d.minConcurrent(), 0, Integer.MAX_VALUE));
    }

    RetryConfig retries(Fields f) {
        RetryConfig d = RetryConfig.DEFAULT;
        Duration base = duration(f, "backoff_base", d.backoffBase(), true);
        Duration max = duration(f, "backoff_max", d.backoffMax(), true);
        if (base != null && max != null && max.compareTo(base) < 0) {
            boolean maxGiven = f.has("backoff_max");
            problems.add(maxGiven ? f.value("backoff_max") : f.value("backoff_base"),
                    "backoff_max " + Durations.format(max) + " is shorter than backoff_base " + Durations.format(base),
                    "backoffs double from the base up to the max"
                            + (maxGiven ? "" : "; backoff_max defaults to " + Durations.format(max)));
        }
        Fields hedgeFields = f.nested("hedge", HEDGE);
        HedgeConfig hedge = hedgeFields == null ? d.hedge() : hedge(hedgeFields);
        return new RetryConfig(f.integer("max", d.maxRetries(), 0, 10),
                f.duration("per_try_timeout", d.perTryTimeout(), false), f.bool("retry_on_503", d.retryOn503()),
                or(base, d.backoffBase()), or(max, d.backoffMax()),
                f.size("buffer_limit", d.bufferLimitBytes(), 0, MAX_BUFFER_LIMIT, "0 (never replay a body) up to 16MiB"),
                hedge);
    }

    private HedgeConfig hedge(Fields f) {
        HedgeConfig d = HedgeConfig.DEFAULT;
        return new HedgeConfig(f.bool("enabled", d.enabled()), f.duration("min_delay", d.minDelay(), false),
                f.decimal("p99_multiplier", d.p99Multiplier(), 1.0, 100.0));
    }

    private FailureRateConfig failureRate(Fields f) {
        FailureRateConfig d = FailureRateConfig.DEFAULT;
        return new FailureRateConfig(f.integer("threshold", d.thresholdPercent(), 1, 100),
                f.integer("minimum_requests", d.minimumRequests(), 1, Integer.MAX_VALUE),
                f.duration("window", d.window(), false));
    }

    private LatencyConfig latency(Fields f) {
        return new LatencyConfig(f.duration("p99_threshold", null, false),
                f.integer("minimum_requests", 20, 1, Integer.MAX_VALUE),
                f.duration("window", Duration.ofSeconds(10), false),
                f.integer("degraded_weight_percent", 25, 1, 100));
    }

    private HealthCheckConfig.Type type(Fields f) {
        String text = f.string("type");
        if (text == null) {
            return HealthCheckConfig.Type.HTTP;
        }
        if (!TYPES.contains(text)) {
            problems.add(f.value("type"), "unknown health check type '" + text + "'",
                    Suggestions.hint(text, TYPES, "allowed types"));
            // Read as http, the default, so the http keys that follow are still checked.
            return HealthCheckConfig.Type.HTTP;
        }
        return HealthCheckConfig.Type.valueOf(text.toUpperCase(Locale.ROOT));
    }

    private String method(Fields f, String defaultValue) {
        String method = f.string("method");
        if (method == null) {
            return defaultValue;
        }
        String upper = method.toUpperCase(Locale.ROOT);
        if (!ConfigBinder.isToken(method)) {
            problems.add(f.value("method"), "invalid method '" + method + "'",
                    "an HTTP token such as GET or HEAD: letters, digits and " + ConfigBinder.HEADER_TOKEN_CHARS);
        } else if (!upper.equals(method) && STANDARD_METHODS.contains(upper)) {
            // Methods are case-sensitive; most servers answer "get" with 400 or 501, failing every check.
            problems.add(f.value("method"), "method '" + method + "' is not " + upper,
                    "HTTP methods are case-sensitive; write " + upper);
        }
        return method;
    }

    private String path(Fields f, String defaultValue) {
        String path = f.string("path");
        if (path == null) {
            return defaultValue;
        }
        if (!path.startsWith("/")) {
            problems.add(f.value("path"), "path '" + path + "' must start with '/'", "e.g. /" + path);
        }
        return path;
    }

    private String host(Fields f) {
        String host = f.string("host");
        if (host != null && !Addresses.isHostName(host) && Addresses.parseHostPort(host) == null) {
            problems.add(f.value("host"), "invalid host '" + host + "'",
                    "the Host header to send: a host name, optionally with a port, e.g. api.internal");
        }
        return host;
    }

    private String bodyContains(Fields f) {
        String text = f.string("body_contains");
        if (text != null && text.isEmpty()) {
            problems.add(f.value("body_contains"), "'body_contains' is empty",
                    "every body contains the empty string; leave the key out to not check the body");
        }
        return text;
    }

    private List<StatusRange> statuses(Fields f, List<StatusRange> defaultValue) {
        YamlList list = f.list("expected_statuses", "a list such as [200-299, 304]");
        if (list == null) {
            return defaultValue;
        }
        if (list.items().isEmpty()) {
            problems.add(list, "'expected_statuses' is empty",
                    "no check could pass; list statuses or ranges such as [200-299, 304], or leave it out for 200-399");
            return defaultValue;
        }
        List<StatusRange> ranges = new ArrayList<>();
        for (YamlNode item : list.items()) {
            StatusRange r = statusRange(item);
            if (r != null) {
                ranges.add(r);
            }
        }
        return ranges;
    }

    private StatusRange statusRange(YamlNode item) {
        if (!(item instanceof YamlScalar s)
                || s.kind() != YamlScalar.Kind.INTEGER && s.kind() != YamlScalar.Kind.STRING) {
            problems.add(item, "expected a status or a range in 'expected_statuses', got " + Fields.describe(item),
                    STATUS_HINT);
            return null;
        }
        Matcher m = STATUS_RANGE.matcher(s.text());
        if (!m.matches()) {
            Matcher statusClass = STATUS_CLASS.matcher(s.text());
            problems.add(s, "bad status '" + s.text() + "'", statusClass.matches()
                    ? "write it as a range: " + statusClass.group(1) + "00-" + statusClass.group(1) + "99"
                    : STATUS_HINT);
            return null;
        }
        int from = Integer.parseInt(m.group(1));
        int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
        for (int status : new int[] {from, to}) {
            if (status < 100 || status > 599) {
                problems.add(s, "status " + status + " out of range", "100..599");
                return null;
            }
        }
        if (from > to) {
            problems.add(s, "status range '" + s.text() + "' is reversed", "write the lower status first: "
                    + to + "-" + from);
            return null;
        }
        return new StatusRange(from, to);
    }

    /**
     * Reports when {@code lower} is not strictly below {@code higher}, at the value that breaks the order: the one
     * written later when the operator gave both, else the one they gave (a default alone never breaks it).
     */
    private void descending(Fields f, String higherKey, Integer higher, String lowerKey, Integer lower) {
        if (higher == null || lower == null || lower < higher) {
            return;
        }
        YamlNode at;
        if (f.has(higherKey) && f.has(lowerKey)) {
            at = ConfigBinder.later(f.value(higherKey), f.value(lowerKey));
        } else {
            at = f.has(lowerKey) ? f.value(lowerKey) : f.value(higherKey);
        }
        problems.add(at, "status thresholds out of order: " + lowerKey + " " + lower + " is not below "
                        + higherKey + " " + higher,
                "healthy > degraded > critical, e.g. 95, 80, 50" + (f.has(higherKey) && f.has(lowerKey) ? ""
                        : "; left out, they default to 95, 80, 50"));
    }

    /** A percent, the default when absent, or null when given but wrong (already reported). */
    private static Integer percent(Fields f, String key, int defaultValue) {
        if (!f.has(key)) {
            return defaultValue;
        }
        int v = f.integer(key, -1, 0, 100);
        return v < 0 ? null : v;
    }

    /**
     * The duration, the default when absent, or null when given but wrong (already reported), so that cross-field
     * rules skip it rather than compare against a default the operator never wrote.
     */
    private static Duration duration(Fields f, String key, Duration defaultValue, boolean zeroAllowed) {
        Duration d = f.duration(key, null, zeroAllowed);
        return d != null || f.has(key) ? d : defaultValue;
    }

    private static <T> T or(T value, T defaultValue) {
        return value == null ? defaultValue : value;
    }
}
