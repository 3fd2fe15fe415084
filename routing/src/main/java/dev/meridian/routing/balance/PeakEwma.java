package dev.meridian.routing.balance;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An endpoint's response time as Peak-EWMA (after tower and linkerd): a sample above the decayed estimate replaces
 * it at once, lower samples blend in, and the estimate decays toward zero with time constant {@code tau} so an
 * endpoint that was slow gets probed again. Lock-free: every event loop observes with a CAS on an immutable pair,
 * and a reader does one volatile read and one {@code exp}.
 */
public final class PeakEwma {
    /** Ten seconds: long enough to ride over a burst, short enough to forgive a recovered endpoint. */
    public static final Duration DEFAULT_TAU = Duration.ofSeconds(10);
    /** What a new endpoint is assumed to answer in: zero would make it the cheapest choice and flood it. */
    public static final Duration DEFAULT_INITIAL = Duration.ofMillis(30);

    private record Sample(double rttNanos, long atNanos, boolean observed) {}

    private final AtomicReference<Sample> last;
    /** 1 / tau, so a read multiplies rather than divides: one slow operation fewer on every latency or score pick. */
    private final double perTauNanos;

    public PeakEwma() {
        this(DEFAULT_TAU, DEFAULT_INITIAL);
    }

    public PeakEwma(Duration tau, Duration initial) {
        if (tau.isNegative() || tau.isZero()) {
            throw new IllegalArgumentException("tau: " + tau + " (expected: > 0)");
        }
        if (initial.isNegative()) {
            throw new IllegalArgumentException("initial: " + initial + " (expected: >= 0)");
        }
        this.perTauNanos = 1.0 / tau.toNanos();
        this.last = new AtomicReference<>(new Sample(initial.toNanos(), 0, false));
    }

    /**
     * The estimate at {@code nowNanos}, in nanoseconds. Until the first sample it is the initial value, undecayed:
     * a new endpoint must not drift toward zero before it has answered anything.
     */
    public double estimateAt(long nowNanos) {
        Sample s = last.get();
        if (!s.observed()) {
            return s.rttNanos();
        }
        return s.rttNanos() * decay(s, nowNanos);
    }

    /** Records a response that took {@code rttNanos}, seen at {@code nowNanos} (same clock as the picks). */
    public void observe(long rttNanos, long nowNanos) {
        double rtt = Math.max(0, rttNanos);
        while (true) {
            Sample s = last.get();
            Sample next;
            if (!s.observed()) {
                // The initial value is a guess, not a measurement: the first real answer replaces it.
                next = new Sample(rtt, nowNanos, true);
            } else {
                double w = decay(s, nowNanos);
                double decayed = s.rttNanos() * w;
                // Loops race with clocks read a little apart; time never runs backward for the estimate.
                long at = Math.max(nowNanos, s.atNanos());
                next = new Sample(rtt >= decayed ? rtt : decayed + rtt * (1 - w), at, true);
            }
            if (last.compareAndSet(s, next)) {
                return;
            }
        }
    }

    private double decay(Sample s, long nowNanos) {
        return Math.exp(-Math.max(0, nowNanos - s.atNanos()) * perTauNanos);
    }

    @Override
    public String toString() {
        Sample s = last.get();
        return "PeakEwma[" + Math.round(s.rttNanos() / 1_000) + "us" + (s.observed() ? "" : ", initial") + "]";
    }
}
