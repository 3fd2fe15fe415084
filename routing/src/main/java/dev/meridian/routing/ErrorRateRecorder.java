package dev.meridian.routing;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Records every try's outcome in the endpoint's {@link EndpointState#errorRate()} (gateway failures and 5xx count as
 * errors, as in outlier detection), then passes it on: the {@code score} policy reads the rate, whether or not a health
 * subsystem listens. One clock read and one CAS per outcome, on the event loop that made the try.
 */
public final class ErrorRateRecorder implements OutcomeSink {
    private final OutcomeSink next;
    private final LongSupplier clock;

    private ErrorRateRecorder(OutcomeSink next, LongSupplier clock) {
        this.next = Objects.requireNonNull(next, "next");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A sink recording error rates on the clock picks use ({@code System.nanoTime}), then telling {@code next}. */
    public static OutcomeSink before(OutcomeSink next) {
        return before(next, System::nanoTime);
    }

    /** As {@link #before(OutcomeSink)}, on {@code clock}. */
    public static OutcomeSink before(OutcomeSink next, LongSupplier clock) {
        return new ErrorRateRecorder(next, clock);
    }

    @Override
    public void connectFailed(EndpointState endpoint, boolean timedOut) {
        endpoint.errorRate().record(true, clock.getAsLong());
        next.connectFailed(endpoint, timedOut);
    }

    @Override
    public void failedBeforeResponse(EndpointState endpoint) {
        endpoint.errorRate().record(true, clock.getAsLong());
        next.failedBeforeResponse(endpoint);
    }

    @Override
    public void responded(EndpointState endpoint, int status, long headerLatencyNanos) {
        endpoint.errorRate().record(status >= 500, clock.getAsLong());
        next.responded(endpoint, status, headerLatencyNanos);
    }
}
