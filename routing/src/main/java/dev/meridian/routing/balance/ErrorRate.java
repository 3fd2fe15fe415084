package dev.meridian.routing.balance;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * An endpoint's recent failure rate, for the {@code score} policy: failures over outcomes, both counted with weights
 * that decay exponentially with time constant {@code tau}, so the rate means the same at 10 and at 10,000 requests
 * a second. One pseudo-outcome of success is added to the count: one failure on a quiet endpoint is not 100 %, and an
 * endpoint that gets no traffic (because its rate kept it away) sees the rate fall back to 0 and gets probed again.
 *
 * <p>Lock-free and allocation-free: both decayed counts are floats packed in one {@code long} updated by CAS; the time
 * of the last update sits beside it. Two loops updating at once may decay the same interval twice, a few
 * microseconds' worth: immaterial for a figure that moves over seconds.
 */
public final class ErrorRate {
    /** Five seconds: a failing endpoint shows most of its rate within seconds, and a recovered one is forgiven soon. */
    public static final Duration DEFAULT_TAU = Duration.ofSeconds(5);
    /** The pseudo-count of successes in the denominator. */
    private static final double PRIOR = 1.0;
    /** Decayed failures below this are too few to matter (under 0.1 %), and reading them needs no {@code exp}. */
    private static final float NEGLIGIBLE = 1e-3f;

    private static final AtomicLongFieldUpdater<ErrorRate> COUNTS =
            AtomicLongFieldUpdater.newUpdater(ErrorRate.class, "counts");

    /**
     * High 32 bits: decayed failures, low 32 bits: decayed outcomes, each a float. A field rather than an AtomicLong,
     * so a pick reads it without following one more reference.
     */
    private volatile long counts;
    private volatile long lastNanos;
    /** 1 / tau: a read multiplies rather than divides. */
    private final double perTauNanos;

    public ErrorRate() {
        this(DEFAULT_TAU);
    }

    public ErrorRate(Duration tau) {
        if (tau.isNegative() || tau.isZero()) {
            throw new IllegalArgumentException("tau: " + tau + " (expected: > 0)");
        }
        this.perTauNanos = 1.0 / tau.toNanos();
    }

    /** Records one outcome seen at {@code nowNanos} (the clock picks use). */
    public void record(boolean failed, long nowNanos) {
        long last = lastNanos;
        double w = decay(last, nowNanos);
        while (true) {
            long packed = counts;
            double failures = failures(packed) * w + (failed ? 1 : 0);
            double outcomes = outcomes(packed) * w + 1;
            if (COUNTS.compareAndSet(this, packed, pack(failures, outcomes))) {
                break;
            }
        }
        if (nowNanos - last > 0) {
            lastNanos = nowNanos;
        }
    }

    /** The failure rate at {@code nowNanos}, in percent (0..100). No recent failure costs no {@code exp}. */
    public double percentAt(long nowNanos) {
        long packed = counts;
        float failures = failures(packed);
        if (failures < NEGLIGIBLE) {
            return 0;
        }
        double w = decay(lastNanos, nowNanos);
        return 100 * failures * w / (outcomes(packed) * w + PRIOR);
    }

    private double decay(long lastNanos, long nowNanos) {
        long dt = nowNanos - lastNanos;
        return dt <= 0 ? 1 : Math.exp(-dt * perTauNanos);
    }

    private static float failures(long packed) {
        return Float.intBitsToFloat((int) (packed >>> 32));
    }

    private static float outcomes(long packed) {
        return Float.intBitsToFloat((int) packed);
    }

    private static long pack(double failures, double outcomes) {
        return ((long) Float.floatToRawIntBits((float) failures) << 32)
                | (Float.floatToRawIntBits((float) outcomes) & 0xFFFF_FFFFL);
    }

    @Override
    public String toString() {
        long packed = counts;
        return "ErrorRate[" + failures(packed) + "/" + outcomes(packed) + "]";
    }
}
