package dev.meridian.health.failover;

import dev.meridian.config.FailoverGuard;
import dev.meridian.routing.EndpointState;
import java.util.List;
import java.util.Locale;

/**
 * Watches a shift's target: its error rate over the tries it got since the shift started (each endpoint's recent
 * rate, weighted by its tries) and its p99 (the worst endpoint's last window). Either crossing its limit trips the
 * guard, as does every target leaving rotation. A limit is the configured one, or the target's own baseline at the
 * start when that was already worse: the shift is blamed only for what it made worse. Control thread only.
 */
final class TargetGuard {
    /** Fewer tries than this since the start say nothing about an error rate. */
    static final long MIN_REQUESTS = 20;

    private final FailoverGuard limits;
    private final List<EndpointState> targets;
    private final long[] requestsAtStart;
    private final double baselineErrorPercent;
    private final long baselineP99Nanos;

    TargetGuard(FailoverGuard limits, List<EndpointState> targets, long nowNanos) {
        this.limits = limits;
        this.targets = targets;
        this.requestsAtStart = new long[targets.size()];
        double weighted = 0;
        long configured = 0;
        long p99 = 0;
        for (int i = 0; i < targets.size(); i++) {
            EndpointState t = targets.get(i);
            requestsAtStart[i] = t.requestsTotal();
            int w = Math.max(1, t.config().weight());
            weighted += t.errorRate().percentAt(nowNanos) * w;
            configured += w;
            p99 = Math.max(p99, t.recentP99Nanos());
        }
        this.baselineErrorPercent = configured == 0 ? 0 : weighted / configured;
        this.baselineP99Nanos = p99;
    }

    double baselineErrorPercent() {
        return baselineErrorPercent;
    }

    long baselineP99Nanos() {
        return baselineP99Nanos;
    }

    /** Why the guard trips now, in words with the figures; null while the target is within its limits. */
    String check(long nowNanos) {
        if (targets.stream().noneMatch(t -> t.status().takesTraffic())) {
            // Ejected, failing checks or drained: nothing receives the shifted traffic, so the shift cannot go on.
            return "no target endpoint takes traffic ("
                    + targets.stream().map(t -> t.id() + " " + t.status()).toList() + ")";
        }
        long requests = 0;
        double weighted = 0;
        long p99 = 0;
        for (int i = 0; i < targets.size(); i++) {
            EndpointState t = targets.get(i);
            // A target that got nothing since the start still shows its baseline p99, which the limit allows for.
            p99 = Math.max(p99, t.recentP99Nanos());
            long n = t.requestsTotal() - requestsAtStart[i];
            if (n > 0) {
                requests += n;
                weighted += t.errorRate().percentAt(nowNanos) * n;
            }
        }
        if (requests >= MIN_REQUESTS) {
            double errors = weighted / requests;
            double limit = Math.max(limits.maxErrorPercent(), baselineErrorPercent);
            if (errors > limit) {
                return String.format(Locale.ROOT, "target error rate %.1f%% over %s%% (baseline %.1f%%, %d requests)",
                        errors, trim(limit), baselineErrorPercent, requests);
            }
        }
        long p99Limit = Math.max(limits.maxP99().toNanos(), baselineP99Nanos);
        if (p99 > p99Limit) {
            return String.format(Locale.ROOT, "target p99 %d ms over %d ms (baseline %d ms)", p99 / 1_000_000,
                    p99Limit / 1_000_000, baselineP99Nanos / 1_000_000);
        }
        return null;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
