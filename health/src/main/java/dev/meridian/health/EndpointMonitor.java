package dev.meridian.health;

import dev.meridian.config.OutlierConfig;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One endpoint's passive figures: written by the event loops with atomics only, read and reset by the control
 * thread. The thresholds are those of the endpoint's cluster, swapped on reload.
 */
final class EndpointMonitor {
    static final long NO_FAILURE = -1;
    /** A window not started yet: the first tick that sees the detector on starts it rather than judging it. */
    static final long NOT_STARTED = Long.MIN_VALUE;

    final AtomicInteger consecutiveGatewayFailures = new AtomicInteger();
    final AtomicInteger consecutive5xx = new AtomicInteger();
    /** When the current run of failures began: the start of the detection time an ejection event reports. */
    final AtomicLong firstFailureNanos = new AtomicLong(NO_FAILURE);
    final FailureWindow failures = new FailureWindow();
    final LatencyWindow latency = new LatencyWindow();

    volatile OutlierConfig config;
    /** Control thread only: when the failure window next rotates and the latency window next ends. */
    long nextRotationNanos = NOT_STARTED;
    long nextLatencyNanos = NOT_STARTED;

    EndpointMonitor(OutlierConfig config) {
        this.config = config;
    }

    /** Notes the start of a failure run unless one is under way. */
    void failureSeen(long nowNanos) {
        if (firstFailureNanos.get() == NO_FAILURE) {
            firstFailureNanos.compareAndSet(NO_FAILURE, nowNanos);
        }
    }

    /** A good answer ends both runs. Reads first: most answers are good, and a write would bounce the line. */
    void success() {
        if (consecutiveGatewayFailures.get() != 0) {
            consecutiveGatewayFailures.set(0);
        }
        if (consecutive5xx.get() != 0) {
            consecutive5xx.set(0);
        }
        if (firstFailureNanos.get() != NO_FAILURE) {
            firstFailureNanos.set(NO_FAILURE);
        }
    }

    /** Starts afresh after an ejection or a refused one, so the next run can post again. Control thread. */
    void resetRuns() {
        consecutiveGatewayFailures.set(0);
        consecutive5xx.set(0);
        firstFailureNanos.set(NO_FAILURE);
    }
}
