package dev.meridian.config;

import java.time.Duration;
import java.util.Objects;

/**
 * When a running shift rolls back by itself: the target's error rate or p99 beyond these limits (or beyond its own
 * baseline, taken when the shift started, when that was already worse).
 *
 * @param maxErrorPercent errors (5xx and failures before a response) over tries, 0..100
 * @param maxP99          response-header latency
 */
public record FailoverGuard(double maxErrorPercent, Duration maxP99) {
    public static final FailoverGuard DEFAULT = new FailoverGuard(5, Duration.ofSeconds(1));

    public FailoverGuard {
        Objects.requireNonNull(maxP99, "maxP99");
        if (!(maxErrorPercent >= 0 && maxErrorPercent <= 100)) {
            throw new IllegalArgumentException("maxErrorPercent: " + maxErrorPercent + " (expected: 0..100)");
        }
        if (maxP99.isNegative() || maxP99.isZero()) {
            throw new IllegalArgumentException("maxP99: " + maxP99 + " (expected: > 0)");
        }
    }
}
