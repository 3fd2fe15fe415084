package dev.meridian.routing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bounds retries and hedges in flight to a cluster to a share of its active requests, with a floor, so that when
 * everything fails, retries do not multiply the load (Envoy's retry budget); and, beside the budget, to the
 * circuit breaker's absolute {@code max_retries}. Lock-free; shared by every event loop.
 */
public final class RetryBudget {
    /** What {@link #tryAcquire} decided. */
    public enum Grant {
        GRANTED,
        /** The share of active requests (or the floor) is used up. */
        BUDGET_SPENT,
        /** The circuit breaker's {@code max_retries} are in flight. */
        MAX_RETRIES
    }

    private final int percent;
    private final int minConcurrent;
    private final int maxConcurrent;
    /**
     * Touched twice per request by every event loop, read only when a retry is considered: striped so the loops
     * do not bounce one cache line between cores on every request.
     */
    private final LongAdder active = new LongAdder();
    private final AtomicInteger retries = new AtomicInteger();

    /** A budget with no absolute cap. */
    public RetryBudget(int percent, int minConcurrent) {
        this(percent, minConcurrent, Integer.MAX_VALUE);
    }

    /** @param maxConcurrent the circuit breaker's {@code max_retries}: never more at once, whatever the budget */
    public RetryBudget(int percent, int minConcurrent, int maxConcurrent) {
        this.percent = percent;
        this.minConcurrent = minConcurrent;
        this.maxConcurrent = maxConcurrent;
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
        return tryAcquire() == Grant.GRANTED;
    }

    /**
     * Takes one retry, saying which limit refused it if one did. The budget is asked first, so the cap is named
     * only when it is what stands in the way: the budget allowed the retry and the cap did not.
     */
    public Grant tryAcquire() {
        while (true) {
            int inFlight = retries.get();
            int allowed = Math.max(minConcurrent, (int) (active.sum() * percent / 100));
            if (inFlight >= allowed) {
                return Grant.BUDGET_SPENT;
            }
            if (inFlight >= maxConcurrent) {
                return Grant.MAX_RETRIES;
            }
            if (retries.compareAndSet(inFlight, inFlight + 1)) {
                return Grant.GRANTED;
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
