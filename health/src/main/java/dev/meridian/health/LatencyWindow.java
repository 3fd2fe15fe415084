package dev.meridian.health;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Response-header latency per window: event loops record into an HdrHistogram {@link Recorder} (wait-free for
 * writers); the control thread swaps out the interval histogram once per window and reads its p99.
 */
final class LatencyWindow {
    /** Microseconds: a minute is more than any timeout, and two digits are plenty for a threshold. */
    private static final long HIGHEST_MICROS = 60_000_000L;

    private final Recorder recorder = new Recorder(1, HIGHEST_MICROS, 2);
    /** Handed back to the recorder at each swap, so a window costs no allocation. */
    private Histogram recycled;
    /** The median of the last window {@link #swapP99} judged, in nanoseconds. */
    private long lastP50Nanos;

    void record(long latencyNanos) {
        recorder.recordValue(Math.max(1, Math.min(HIGHEST_MICROS, latencyNanos / 1_000)));
    }

    /**
     * Ends the window. Control thread only.
     *
     * @return the window's p99 in nanoseconds, or -1 when it held fewer than {@code minimumRequests} samples
     */
    long swapP99(int minimumRequests) {
        Histogram h = recorder.getIntervalHistogram(recycled);
        recycled = h;
        if (h.getTotalCount() < Math.max(1, minimumRequests)) {
            return -1;
        }
        lastP50Nanos = h.getValueAtPercentile(50.0) * 1_000;
        return h.getValueAtPercentile(99.0) * 1_000;
    }

    /** The median of the window whose p99 {@link #swapP99} last returned. Control thread only. */
    long lastP50Nanos() {
        return lastP50Nanos;
    }
}
