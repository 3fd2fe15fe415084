package dev.meridian.proxy.server;

import dev.meridian.routing.EndpointState;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The exchange's deadlines, judged each time the connection's timer fires: the header timeout of its try (a per-try
 * timeout shorter than the route's moves a silent try to another endpoint), when a hedge is due and when it is late,
 * and the idle timeout and minimum rate of the response body. Whatever is not due yet arms the timer again. Time is
 * what the caller passes or what the exchange's clock said: tests move it by hand.
 *
 * <p>One per client connection, reused by each of its exchanges; confined to its event loop.
 */
final class ExchangeDeadlines {
    private final Exchange exchange;
    private final ProxyStats stats;
    private final Downstream downstream;
    private final Attempt attempt;
    private final Hedging hedging;
    private final RetryPolicy<EndpointState> policy;
    private final Retries retries;
    private final ForwardedRequest request;
    private final ReplayBuffer replay;
    private final OutcomeReport outcome;
    private final ResponsePace pace = new ResponsePace();
    /** Last byte moved for the exchange. */
    private long lastActivity;
    private long requestCompleteAt;
    private long waitStartedAt;

    ExchangeDeadlines(Exchange exchange, ServerContext server, Downstream downstream, Attempt attempt,
                      Hedging hedging, RetryPolicy<EndpointState> policy, Retries retries, ForwardedRequest request,
                      ReplayBuffer replay, OutcomeReport outcome) {
        this.exchange = exchange;
        this.stats = server.stats();
        this.downstream = downstream;
        this.attempt = attempt;
        this.hedging = hedging;
        this.policy = policy;
        this.retries = retries;
        this.request = request;
        this.replay = replay;
        this.outcome = outcome;
    }

    /** A byte moved for the exchange at {@code now}: the idle timeout counts from here. */
    void activity(long now) {
        lastActivity = now;
    }

    /** The try waits, from {@code now}, for a connection to come free: for as long as a connect may take. */
    void awaitConnection(long now) {
        waitStartedAt = now;
        downstream.timerBy(now + attempt.connectTimeout().toNanos());
    }

    /** The try's connection is ready: it may stay silent for the route's idle timeout. */
    void armIdle() {
        downstream.timerBy(lastActivity + idleNanos());
    }

    /** The whole request went out at {@code now}. */
    void requestComplete(long now) {
        requestCompleteAt = now;
    }

    /** The request is out and no response started: the hedge, if one applies, and the try's header timeout. */
    void awaitHead() {
        if (hedgeApplies()) {
            downstream.timerBy(policy.armHedge(requestCompleteAt, attempt.endpoint().recentP99Nanos()));
        }
        downstream.timerBy(tryDeadline());
    }

    /** A retry sent the whole request again: its own header timeout runs from now. */
    void retrySent() {
        downstream.timerBy(tryDeadline());
    }

    /**
     * When the current try must have sent its response head: its own timeout from when it had the whole request
     * (a retry's from its resend, not from the first try's), never past the route's, which counts from the first.
     */
    private long tryDeadline() {
        long from = Math.max(requestCompleteAt, attempt.headSentAt());
        return Math.min(from + tryHeaderTimeoutNanos(), requestCompleteAt + request.timeouts().responseHeader().toNanos());
    }

    /** When the hedge in flight times out. */
    long hedgeTimeout() {
        return hedging.timeoutDeadline(request.timeouts().connect(), tryHeaderTimeoutNanos());
    }

    /** The response head went to the client at {@code now}: its body is held to the idle timeout and minimum rate. */
    void responseStarted(long now) {
        pace.start(now, request.timeouts().minResponseRate(), idleNanos());
        downstream.timerBy(pace.judging() ? pace.windowEnd() : now + idleNanos());
    }

    void responseBytes(int n) {
        pace.received(n);
    }

    /** Reading the response resumed at {@code now}: the paused time was the client's, not the endpoint's. */
    void readingResumed(long now) {
        pace.restart(now);
    }

    /** The exchange ended: no response is judged any more. */
    void clear() {
        pace.stop();
    }

    /**
     * Acts on the exchange's deadlines at {@code now}: header timeouts of its tries, the hedge, the idle and pace
     * limits of the response; and arms the connection's timer for those not reached yet.
     */
    void timerFired(long now) {
        if (attempt.connection() == null) {
            withoutConnection(now);
            return;
        }
        boolean awaitingHead = exchange.requestComplete() && !exchange.responseStarted();
        if (awaitingHead && !hedging.inFlight() && policy.hedgeDue(now) && hedgeApplies()) {
            hedging.launch(attempt.endpoint(), request.cluster(), request.timeouts().connect(), request.head(),
                    replay);
        }
        if (exchange.responseStarted() && pace.judging() && attempt.connection().isReading()) {
            judgeResponsePace(now);
            return;
        }
        long deadline = awaitingHead ? tryDeadline() : lastActivity + idleNanos();
        if (now - deadline < 0) {
            downstream.timerBy(deadline);
            if (awaitingHead && policy.hedgeWaiting()) {
                downstream.timerBy(policy.hedgeDeadline());
            }
            return;
        }
        if (!attempt.timeoutReported()) {
            stats.responseTimeouts.increment();  // once per try, however long a retry then waits for budget
        }
        if (exchange.responseStarted()) {
            // Silent while Meridian was reading: the endpoint stalled. Paused for a slow client: the client did.
            outcome.settle(attempt.endpoint(), attempt.connection().isReading());
            exchange.abortClient();
            return;
        }
        if (!attempt.timeoutReported()) {
            attempt.timeoutReported(true);
            outcome.failedBeforeResponse(attempt.endpoint());
        }
        if (awaitingHead) {
            headerTimeout(now);
        } else {
            exchange.tryFailed(HttpResponseStatus.GATEWAY_TIMEOUT, "request to endpoint '" + attempt.endpoint().id()
                    + "' stalled for " + request.timeouts().idle().toMillis() + " ms", true);
        }
    }

    /** The try has no connection: it connects (the connect timeout is the socket's own), backs off, or is over. */
    private void withoutConnection(long now) {
        if (attempt.waiting()) {
            long until = waitStartedAt + attempt.connectTimeout().toNanos();
            if (now - until >= 0) {
                attempt.gaveUpWaiting();
            } else {
                downstream.timerBy(until);
            }
            return;
        }
        // Only the hedge was left, and it is late too.
        EndpointState late = exchange.tryAlive() ? null : hedging.giveUpIfLate(now, tryHeaderTimeoutNanos());
        if (late != null) {
            exchange.tryFailed(HttpResponseStatus.GATEWAY_TIMEOUT, noHeadersWithin(late), true);
            return;
        }
        if (!hedging.inFlight() && !exchange.tryAlive() && !exchange.responseStarted()) {
            // Nothing is under way for this request any more: a state no path should leave behind, but the
            // client must get an answer rather than wait forever.
            stats.stuckExchanges.increment();
            exchange.failBeforeResponse(HttpResponseStatus.BAD_GATEWAY, "no try of this request is in progress");
            return;
        }
        downstream.timerBy(hedging.inFlight() ? hedgeTimeout() : now + Math.min(idleNanos(), tryHeaderTimeoutNanos()));
    }

    /**
     * The try sent no response head within its timeout. Within the route's timeout it moves to another endpoint,
     * or waits while the retry budget is spent; after it, or with nowhere to go, the client gets 504.
     */
    private void headerTimeout(long now) {
        long routeDeadline = requestCompleteAt + request.timeouts().responseHeader().toNanos();
        if (now - routeDeadline < 0 && !hedging.inFlight()) {
            EndpointState next = retries.target(true);
            if (next != null) {
                retries.switchTo(next);
                return;
            }
            if (retries.verdict() == RetryPolicy.Verdict.BUDGET_SPENT) {
                // Failing the client for want of budget would be worse than waiting: keep the try, look again.
                downstream.timerBy(Math.min(now + RetryPolicy.BUDGET_RECHECK_NANOS, routeDeadline));
                return;
            }
        }
        exchange.tryFailed(HttpResponseStatus.GATEWAY_TIMEOUT, noHeadersWithin(attempt.endpoint()), true);
    }

    /**
     * The end of a pace window of the response body: a window that brought at least the route's min_response_rate
     * starts the next; one that did not, silent or trickling, ends the response.
     */
    private void judgeResponsePace(long now) {
        if (now - pace.windowEnd() < 0) {
            downstream.timerBy(pace.windowEnd());
            return;
        }
        if (pace.keptUp()) {
            pace.restart(now);
            downstream.timerBy(pace.windowEnd());
            return;
        }
        stats.responseTimeouts.increment();
        if (pace.bytes() > 0) {
            stats.slowResponses.increment();
        }
        outcome.settle(attempt.endpoint(), true);
        exchange.abortClient();
    }

    private boolean hedgeApplies() {
        return policy.hedgeApplies(replay.replayable(), request.hedgeable());
    }

    private String noHeadersWithin(EndpointState endpoint) {
        return "endpoint '" + endpoint.id() + "' sent no response headers within "
                + tryHeaderTimeoutNanos() / 1_000_000 + " ms";
    }

    /** How long one try waits for response headers: the per-try timeout when shorter than the route's. */
    private long tryHeaderTimeoutNanos() {
        return policy.tryHeaderTimeoutNanos(request.timeouts().responseHeader());
    }

    private long idleNanos() {
        return request.timeouts().idle().toNanos();
    }
}
