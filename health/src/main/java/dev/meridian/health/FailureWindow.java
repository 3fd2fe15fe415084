package dev.meridian.health;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Requests and failures over a sliding window, in buckets: event loops add to the current bucket with one atomic
 * increment; the control thread rotates to the next (cleared) bucket every window / {@value #BUCKETS}, so the sums
 * cover the last window within one bucket's length.
 */
final class FailureWindow {
    static final int BUCKETS = 10;

    /** Bucket {@code b}: requests at {@code 2b}, failures at {@code 2b + 1}, side by side for one cache line. */
    private final AtomicLongArray counts = new AtomicLongArray(2 * BUCKETS);
    private volatile int current;

    /** A request ended. Any thread. */
    void record(boolean failed) {
        int b = current;
        counts.incrementAndGet(2 * b);
        if (failed) {
            counts.incrementAndGet(2 * b + 1);
        }
    }

    /** Moves to the next bucket, dropping the oldest. Control thread only. */
    void rotate() {
        int next = (current + 1) % BUCKETS;
        counts.set(2 * next, 0);
        counts.set(2 * next + 1, 0);
        current = next;
    }

    /** Forgets everything, so an endpoint that returns is judged on new traffic only. Control thread only. */
    void clear() {
        for (int i = 0; i < counts.length(); i++) {
            counts.set(i, 0);
        }
    }

    long requests() {
        return sum(0);
    }

    long failures() {
        return sum(1);
    }

    private long sum(int offset) {
        long s = 0;
        for (int b = 0; b < BUCKETS; b++) {
            s += counts.get(2 * b + offset);
        }
        return s;
    }
}
