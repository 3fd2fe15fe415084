package dev.meridian.routing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bounds retries and hedges in flight to a cluster to a share of its active requests, with a floor, so that when
 * everything fails, retries do not multiply the load (Envoy's retry budget). Lock-free; shared by every event loop.
 */
public final class RetryBudget {
    private final int percent;
    private final int minConcurrent;
    /**
     * Touched twice per request by every event loop, read only when a retry is considered: striped so the loops
     * do not bounce one cache line between cores on every request.
     */
    private final LongAdder active = new LongAdder();
    private final AtomicInteger retries = new AtomicInteger();

    public RetryBudget(int percent, int minConcurrent) {
        this.percent = percent;
        this.minConcurrent = minConcurrent;
    }

    /** A request to the cluster began (its first try). */
    public void requestStarted() {
        active.increment();
    }

    public void requestEnded() {
        active.decrement();
    }

    /**
     * Takes one retry from the budget.
     *
     * @return false when the budget is spent: the caller must not retry
     */
    public boolean tryAcquireRetry() {
        while (true) {
            int inFlight = retries.get();
            int allowed = Math.max(minConcurrent, (int) (active.sum() * percent / 100));
            if (inFlight >= allowed) {
                return false;
            }
            if (retries.compareAndSet(inFlight, inFlight + 1)) {
                return true;
            }
        }
    }

    /** The retry taken with {@link #tryAcquireRetry} ended. */
    public void releaseRetry() {
        retries.decrementAndGet();
    }

    public int activeRequests() {
        return (int) active.sum();
    }

    public int activeRetries() {
        return retries.get();
    }
}
