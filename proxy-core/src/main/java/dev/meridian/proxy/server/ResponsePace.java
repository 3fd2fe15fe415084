package dev.meridian.proxy.server;

/**
 * The minimum rate of a response body (the route's {@code min_response_rate}), judged over windows as long as the
 * route's idle timeout. The idle timeout alone only catches silence: an endpoint sending a byte now and then would
 * hold the client for ever. A window in which Meridian paused reading (the client could not take more) proves
 * nothing about the endpoint, so the window starts again when reading resumes. Confined to the connection's loop.
 */
final class ResponsePace {
    private long minBytesPerSecond;
    private long windowNanos;
    private long windowStart;
    private long bytes;

    /** Starts judging a response body; a rate of 0 judges nothing. */
    void start(long now, long minBytesPerSecond, long windowNanos) {
        this.minBytesPerSecond = minBytesPerSecond;
        this.windowNanos = windowNanos;
        restart(now);
    }

    /** Stops judging: the response ended or failed. */
    void stop() {
        minBytesPerSecond = 0;
    }

    boolean judging() {
        return minBytesPerSecond > 0;
    }

    /** A fresh window from {@code now}: the previous one kept up, or reading was paused. */
    void restart(long now) {
        windowStart = now;
        bytes = 0;
    }

    void received(int n) {
        bytes += n;
    }

    /** Bytes received in the current window. */
    long bytes() {
        return bytes;
    }

    long windowEnd() {
        return windowStart + windowNanos;
    }

    /** Whether the window that just ended brought the minimum: rate x window length. */
    boolean keptUp() {
        return bytes >= minBytesPerSecond * (windowNanos / 1e9);  // once per window: a double is cheap enough
    }
}
