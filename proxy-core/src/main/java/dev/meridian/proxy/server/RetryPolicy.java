package dev.meridian.proxy.server;

import dev.meridian.config.RetryConfig;
import dev.meridian.routing.RetryBudget;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The retry and hedge decisions of one exchange at a time: which endpoint a retry goes to, whether it is free,
 * what the budget and the breaker's {@code max_retries} say, how long to back off, and when to hedge. It holds the
 * exchange's retry and hedge permits so that each is given back exactly once. No I/O: the caller acts on the
 * verdicts, so the rules can be tested with a fake clock.
 *
 * <p>Reused by the connection for each of its exchanges; confined to its event loop.
 *
 * @param <T> an endpoint
 */
final class RetryPolicy<T> {
    /** How soon a retry or hedge refused by the budget looks again. */
    static final long BUDGET_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    /** What a retry or a hedge was granted, or why not. */
    enum Verdict {
        /** Go, holding a permit of the budget. */
        GRANTED,
        /** Go without a permit: the try adds no load to the endpoints. */
        FREE,
        /** No retry: not allowed for this request, or no other endpoint to send it to. */
        NONE,
        /** Another endpoint was there, but the budget is spent: it may have room soon. */
        BUDGET_SPENT,
        /** The breaker's {@code max_retries} are in flight: an absolute cap, not worth waiting on. */
        MAX_RETRIES
    }

    /** Where retries and hedges can go. */
    interface Targets<T> {
        /** An endpoint this exchange has not tried yet, allowed for it; null when there is none. */
        T pickUntried();

        /** Whether the endpoint counts as healthy capacity. */
        boolean takesTraffic(T endpoint);
    }

    private final Targets<T> targets;
    private final LongSupplier clock;
    private final RandomGenerator random;

    private RetryConfig config;
    /** The cluster's budget while an exchange counts in it; null between exchanges. */
    private RetryBudget budget;
    private boolean idempotent;
    private T target;
    private boolean holdingRetryPermit;
    private boolean holdingHedgePermit;
    private boolean hedgeConsidered;
    private long hedgeDeadline = NO_DEADLINE;

    RetryPolicy(Targets<T> targets, LongSupplier clock, RandomGenerator random) {
        this.targets = targets;
        this.clock = clock;
        this.random = random;
    }

    /** An exchange to the cluster of {@code budget} begins its first try. */
    void begin(RetryConfig config, RetryBudget budget, boolean idempotent) {
        this.config = config;
        this.budget = budget;
        this.idempotent = idempotent;
        budget.requestStarted();
    }

    /** The exchange is over: every permit it holds goes back, and it leaves the budget's count of requests. */
    void end() {
        releaseHedgePermit();
        hedgeConsidered = false;
        hedgeDeadline = NO_DEADLINE;
        target = null;
        if (budget != null) {
            releaseRetryPermit();
            budget.requestEnded();
            budget = null;
        }
    }

    /** The endpoint the last {@link Verdict#GRANTED} or {@link Verdict#FREE} verdict goes to. */
    T target() {
        return target;
    }

    /**
     * Whether a failed try may be tried again, and where.
     *
     * @param triesSoFar            the tries this exchange made, the failed one included
     * @param requestMayHaveArrived whether request bytes were written to the failed try's upstream (then only an
     *                              idempotent request whose body is kept whole may be sent again)
     * @param replayable            whether the body sent so far is kept whole
     * @param failedTakesTraffic    whether the failed try's endpoint counts as healthy capacity
     */
    Verdict retry(int triesSoFar, boolean requestMayHaveArrived, boolean replayable, boolean failedTakesTraffic) {
        target = null;
        if (triesSoFar > config.maxRetries()) {
            return Verdict.NONE;
        }
        if (requestMayHaveArrived && (!idempotent || !replayable)) {
            return Verdict.NONE;
        }
        T next = targets.pickUntried();
        if (next == null) {
            return Verdict.NONE;
        }
        // One exchange holds at most one permit: its earlier retry is over.
        releaseRetryPermit();
        if (isFree(requestMayHaveArrived, failedTakesTraffic, next)) {
            target = next;
            return Verdict.FREE;
        }
        RetryBudget.Grant grant = budget.tryAcquire();
        if (grant == RetryBudget.Grant.MAX_RETRIES) {
            return Verdict.MAX_RETRIES;
        }
        if (grant == RetryBudget.Grant.BUDGET_SPENT) {
            return Verdict.BUDGET_SPENT;
        }
        holdingRetryPermit = true;
        target = next;
        return Verdict.GRANTED;
    }

    /**
     * The budget exists so retries do not multiply the load on struggling endpoints. A retry adds none when the
     * failed try never reached an endpoint (its connect failed), or when it only moves the request off an endpoint
     * known not to take traffic (panic mode sent it there) onto one that does; those go free. When everything
     * is down there is no such target, and the budget caps the retries as before.
     */
    private boolean isFree(boolean requestMayHaveArrived, boolean failedTakesTraffic, T next) {
        return !requestMayHaveArrived || (!failedTakesTraffic && targets.takesTraffic(next));
    }

    /** Full jitter over an exponential cap, as the AWS architecture blog's "backoff and jitter". */
    long backoffNanos(int triesSoFar) {
        long base = config.backoffBase().toNanos();
        if (base <= 0) {
            return 0;
        }
        long cap = Math.min(config.backoffMax().toNanos(), base << Math.min(20, triesSoFar - 1));
        return (long) (random.nextDouble() * cap);
    }

    /** Whether the tries so far leave room for one more. */
    boolean triesLeft(int triesSoFar) {
        return triesSoFar <= config.maxRetries();
    }

    /** How long one try waits for response headers: the per-try timeout when shorter than the route's. */
    long tryHeaderTimeoutNanos(Duration routeTimeout) {
        long route = routeTimeout.toNanos();
        return config.perTryTimeout() == null ? route : Math.min(route, config.perTryTimeout().toNanos());
    }

    // ---- hedging -----------------------------------------------------------------------------------------------

    /** GET and HEAD are hedged by default: safe to send twice, and the case a hung endpoint hurts most. */
    boolean hedgeApplies(boolean replayable, boolean getOrHead) {
        return config.hedge().enabled() && !hedgeConsidered && replayable && getOrHead;
    }

    /** Sets when the hedge is due, once the whole request went out at {@code requestCompleteAt}. */
    long armHedge(long requestCompleteAt, long p99Nanos) {
        hedgeDeadline = requestCompleteAt + hedgeDelayNanos(p99Nanos);
        return hedgeDeadline;
    }

    /** About twice the endpoint's recent p99, never below the floor, so only the slow tail is hedged. */
    long hedgeDelayNanos(long p99Nanos) {
        long floor = config.hedge().minDelay().toNanos();
        long adaptive = (long) (p99Nanos * config.hedge().p99Multiplier());
        return Math.max(floor, adaptive);
    }

    /** Whether a hedge not yet considered is due at {@code now}. */
    boolean hedgeDue(long now) {
        return !hedgeConsidered && now - hedgeDeadline >= 0;
    }

    /** Whether a hedge is still to be considered at {@link #hedgeDeadline()}. */
    boolean hedgeWaiting() {
        return !hedgeConsidered && hedgeDeadline != NO_DEADLINE;
    }

    long hedgeDeadline() {
        return hedgeDeadline;
    }

    /**
     * Whether to hedge now, and where. A hedge refused by the budget is looked at again after
     * {@link #BUDGET_RECHECK_NANOS} ({@link #hedgeDeadline()} moves): by then the endpoint may be known down, which
     * makes the hedge free, or the budget may have room. Any other refusal is final for this exchange.
     *
     * @param primaryTakesTraffic whether the endpoint of the late try counts as healthy capacity
     */
    Verdict hedge(boolean primaryTakesTraffic) {
        hedgeConsidered = true;
        target = null;
        T next = targets.pickUntried();
        if (next == null) {
            return Verdict.NONE;
        }
        if (isFree(true, primaryTakesTraffic, next)) {
            target = next;
            return Verdict.FREE;
        }
        RetryBudget.Grant grant = budget.tryAcquire();
        if (grant == RetryBudget.Grant.MAX_RETRIES) {
            return Verdict.MAX_RETRIES;
        }
        if (grant == RetryBudget.Grant.BUDGET_SPENT) {
            hedgeConsidered = false;
            hedgeDeadline = clock.getAsLong() + BUDGET_RECHECK_NANOS;
            return Verdict.BUDGET_SPENT;
        }
        holdingHedgePermit = true;
        target = next;
        return Verdict.GRANTED;
    }

    /** A hedge that was granted could not be sent, or failed, or lost: its permit goes back to the budget at once. */
    void releaseHedgePermit() {
        if (holdingHedgePermit) {
            holdingHedgePermit = false;
            budget.releaseRetry();
        }
    }

    /**
     * A hedge failed without reaching its endpoint, adding no load: the next one is due at once rather than leave
     * the request to a silent first try until its header timeout.
     *
     * @return the new hedge deadline
     */
    long hedgeAgainNow() {
        hedgeConsidered = false;
        hedgeDeadline = clock.getAsLong();
        return hedgeDeadline;
    }

    private void releaseRetryPermit() {
        if (holdingRetryPermit) {
            holdingRetryPermit = false;
            budget.releaseRetry();
        }
    }
}
