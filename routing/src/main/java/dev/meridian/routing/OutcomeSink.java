package dev.meridian.routing;

/**
 * What the data plane tells the health subsystem about each try it made, on the event loop that made it. An
 * implementation does only atomic bookkeeping here and hands any decision (eject, degrade) to its control thread.
 */
public interface OutcomeSink {
    OutcomeSink NONE = new OutcomeSink() {
        @Override
        public void connectFailed(EndpointState endpoint, boolean timedOut) {
        }

        @Override
        public void failedBeforeResponse(EndpointState endpoint) {
        }

        @Override
        public void responded(EndpointState endpoint, int status, long headerLatencyNanos) {
        }
    };

    /** A connect was refused or timed out: a gateway failure. */
    void connectFailed(EndpointState endpoint, boolean timedOut);

    /** The connection closed or reset, or the try timed out, before any response byte: a gateway failure. */
    void failedBeforeResponse(EndpointState endpoint);

    /**
     * The response broke off after its headers, or broke HTTP/1.1's framing (bytes past its end, a reset or close
     * mid-body, a body slower than the route's minimum rate): a gateway failure like a reset before the response,
     * reported instead of {@link #responded} for that try.
     */
    default void responseBroken(EndpointState endpoint) {
        failedBeforeResponse(endpoint);
    }

    /**
     * Response headers arrived.
     *
     * @param headerLatencyNanos from the request head sent to the response head received
     */
    void responded(EndpointState endpoint, int status, long headerLatencyNanos);
}
