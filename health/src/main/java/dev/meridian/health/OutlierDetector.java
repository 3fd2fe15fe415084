package dev.meridian.health;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.OutlierConfig;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.OutcomeSink;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Passive outlier detection. On the event loop an outcome costs a map lookup and a few atomics; a run of failures
 * that reaches its threshold posts one task to the control thread ({@code ==}, not {@code >=}: one post per run).
 * The windowed detectors (failure percentage, p99 latency) are evaluated on the control thread's periodic tick.
 */
final class OutlierDetector implements OutcomeSink {
    /** Without a latency detector, the recent p99 (for hedge delays) is taken over windows this long. */
    private static final long RECENT_P99_WINDOW_NANOS = 1_000_000_000L;
    private static final int RECENT_P99_MIN_SAMPLES = 20;
    private final ConcurrentHashMap<EndpointState, EndpointMonitor> monitors = new ConcurrentHashMap<>();
    private final CurrentTable table;
    private final EligibilityPublisher publisher;
    private final Ejector ejector;
    private final ControlThread control;
    private final NanoClock clock;

    OutlierDetector(CurrentTable table, EligibilityPublisher publisher, Ejector ejector, ControlThread control,
                    NanoClock clock) {
        this.table = table;
        this.publisher = publisher;
        this.ejector = ejector;
        this.control = control;
        this.clock = clock;
    }

    @Override
    public void connectFailed(EndpointState endpoint, boolean timedOut) {
        gatewayFailure(endpoint, timedOut ? "connect timeout" : "connect refused");
    }

    @Override
    public void failedBeforeResponse(EndpointState endpoint) {
        gatewayFailure(endpoint, "reset, timeout or broken response");
    }

    private void gatewayFailure(EndpointState endpoint, String what) {
        EndpointMonitor m = monitor(endpoint);
        m.failureSeen(clock.nanoTime());
        m.failures.record(true);
        int n = m.consecutiveGatewayFailures.incrementAndGet();
        if (n == m.config.consecutiveGatewayFailures()) {
            control.execute(() -> runEnded(endpoint, m, "consecutive gateway failures: " + n + " (" + what + ")"));
        }
    }

    @Override
    public void responded(EndpointState endpoint, int status, long headerLatencyNanos) {
        EndpointMonitor m = monitor(endpoint);
        m.latency.record(headerLatencyNanos);
        boolean failed = status >= 500;
        m.failures.record(failed);
        if (!failed) {
            m.success();
            return;
        }
        m.failureSeen(clock.nanoTime());
        m.consecutiveGatewayFailures.set(0);
        int n = m.consecutive5xx.incrementAndGet();
        if (n == m.config.consecutive5xx()) {
            control.execute(() -> runEnded(endpoint, m, "consecutive 5xx: " + n + " (last " + status + ")"));
        }
    }

    private EndpointMonitor monitor(EndpointState endpoint) {
        EndpointMonitor m = monitors.get(endpoint);
        // Only for an endpoint a reload added since the last tick: allocates once, then the lookup above serves.
        return m != null ? m : monitors.computeIfAbsent(endpoint,
                e -> new EndpointMonitor(OutlierConfig.DEFAULT));
    }

    private void runEnded(EndpointState endpoint, EndpointMonitor m, String cause) {
        long firstFailure = m.firstFailureNanos.get();
        ejector.considerEjection(endpoint, cause, firstFailure);
        // Ejected or refused by the caps, the run starts over, so a later run may post again.
        m.resetRuns();
    }

    /**
     * The periodic control-thread pass: follows reloads (thresholds, new and removed endpoints), rotates failure
     * windows and evaluates the windowed detectors when their time comes.
     */
    void tick() {
        long now = clock.nanoTime();
        Set<EndpointState> live = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Cluster c : table.table().clusters()) {
            for (EndpointState s : c.endpoints()) {
                live.add(s);
                EndpointMonitor m = monitors.computeIfAbsent(s, e -> new EndpointMonitor(c.config().outlier()));
                m.config = c.config().outlier();
                evaluateFailureRate(s, m, c.config(), now);
                evaluateLatency(s, m, c.config(), now);
            }
        }
        monitors.keySet().retainAll(live);
    }

    private void evaluateFailureRate(EndpointState s, EndpointMonitor m, ClusterConfig cluster, long now) {
        OutlierConfig.FailureRateConfig rate = cluster.outlier().failureRate();
        if (rate == null) {
            m.nextRotationNanos = EndpointMonitor.NOT_STARTED;
            return;
        }
        if (m.nextRotationNanos == EndpointMonitor.NOT_STARTED) {
            m.nextRotationNanos = now + bucketNanos(rate.window());
            return;
        }
        if (now < m.nextRotationNanos) {
            return;
        }
        m.nextRotationNanos = now + bucketNanos(rate.window());
        long requests = m.failures.requests();
        long failed = m.failures.failures();
        if (requests >= rate.minimumRequests() && requests > 0
                && failed * 100 >= (long) rate.thresholdPercent() * requests && !s.health().ejected()) {
            String cause = "failure rate " + failed * 100 / requests + "% of " + requests + " requests";
            if (ejector.considerEjection(s, cause, m.firstFailureNanos.get())) {
                m.failures.clear();
                m.resetRuns();
                return;
            }
        }
        m.failures.rotate();
    }

    private static long bucketNanos(Duration window) {
        return Math.max(1, window.toNanos() / FailureWindow.BUCKETS);
    }

    private void evaluateLatency(EndpointState s, EndpointMonitor m, ClusterConfig cluster, long now) {
        OutlierConfig.LatencyConfig latency = cluster.outlier().latency();
        if (latency == null) {
            if (s.health().degraded()) {
                publisher.change(s, "latency detection off", -1, h -> h.degraded(false));
            }
            // No detector, but hedging still wants a recent p99: keep one over short windows.
            if (m.nextLatencyNanos == EndpointMonitor.NOT_STARTED || now >= m.nextLatencyNanos) {
                m.nextLatencyNanos = now + RECENT_P99_WINDOW_NANOS;
                long p99 = m.latency.swapP99(RECENT_P99_MIN_SAMPLES);
                if (p99 >= 0) {
                    s.recentP99Nanos(p99);
                    s.recentP50Nanos(m.latency.lastP50Nanos());
                }
            }
            return;
        }
        if (m.nextLatencyNanos == EndpointMonitor.NOT_STARTED) {
            m.nextLatencyNanos = now + latency.window().toNanos();
            return;
        }
        if (now < m.nextLatencyNanos) {
            return;
        }
        m.nextLatencyNanos = now + latency.window().toNanos();
        long p99 = m.latency.swapP99(latency.minimumRequests());
        if (p99 < 0) {
            return;
        }
        s.recentP99Nanos(p99);
        s.recentP50Nanos(m.latency.lastP50Nanos());
        boolean slow = p99 > latency.p99Threshold().toNanos();
        if (slow != s.health().degraded()) {
            String cause = "p99 " + p99 / 1_000_000.0 + " ms " + (slow ? "above " : "within ")
                    + latency.p99Threshold().toMillis() + " ms";
            publisher.change(s, cause, -1, h -> h.degraded(slow));
        }
    }
}
