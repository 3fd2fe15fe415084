package dev.meridian.proxy.server;

import dev.meridian.proxy.upstream.UpstreamPool;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The exchange's hedge in flight, if any: a second try of a request that is late to answer, sent to another
 * endpoint while the first still waits; the first answer wins. The {@link RetryPolicy} decides whether and when;
 * this launches the hedge, keeps the counts of its endpoint, its connection slot and its permit, and tells the
 * exchange how it ended.
 *
 * <p>One per exchange, reused by each of its requests; confined to the connection's event loop.
 */
final class Hedging implements HedgeTry.Owner {

    /** The exchange the hedges are for. */
    interface Host {
        /** Whether the exchange still waits for a response head. */
        boolean awaitingHead();

        /** Whether the exchange's own try is still under way: connected, connecting, or about to start. */
        boolean tryAlive();

        /** The hedge answered first: the exchange takes its connection over as its try and relays {@code head}. */
        void hedgeWon(HedgeTry won, HttpResponse head);

        /** The hedge failed after the exchange's own try had failed already: the exchange fails or retries. */
        void lastTryFailed(String reason);
    }

    private final ServerContext server;
    private final ProxyStats stats;
    private final TrafficMeters meters;
    private final UpstreamPool pool;
    private final RetryPolicy<EndpointState> policy;
    private final TriedEndpoints tried;
    private final Downstream downstream;
    private final Host host;
    private final LongSupplier clock;
    private HedgeTry hedge;

    Hedging(ServerContext server, UpstreamPool pool, RetryPolicy<EndpointState> policy, TriedEndpoints tried,
            Downstream downstream, Host host, LongSupplier clock) {
        this.server = server;
        this.stats = server.stats();
        this.meters = server.meters();
        this.pool = pool;
        this.policy = policy;
        this.tried = tried;
        this.downstream = downstream;
        this.host = host;
        this.clock = clock;
    }

    boolean inFlight() {
        return hedge != null;
    }

    /**
     * Hedges the request now if the policy grants it: on an idle pooled connection, or a new one when the
     * cluster's breaker has a connection slot for it.
     *
     * @param late the endpoint of the try that is late
     */
    void launch(EndpointState late, Cluster cluster, Duration connectTimeout, HttpRequest request,
                ReplayBuffer replay) {
        RetryPolicy.Verdict verdict = policy.hedge(late.status().takesTraffic());
        if (verdict == RetryPolicy.Verdict.NONE) {
            return;
        }
        if (verdict == RetryPolicy.Verdict.MAX_RETRIES) {
            stats.overflowMaxRetries.increment();  // no hedge for this request: the cap is not worth waiting on
            meters.rejected(cluster.name(), TrafficMeters.BreakerLimit.MAX_RETRIES);
            return;
        }
        if (verdict == RetryPolicy.Verdict.BUDGET_SPENT) {
            stats.retryBudgetExhausted.increment();
            downstream.timerBy(policy.hedgeDeadline());
            return;
        }
        EndpointState next = policy.target();
        CircuitBreaker breaker = cluster.breaker();
        boolean needsConnection = !pool.hasIdle(next);
        if (needsConnection && !breaker.tryOpenConnection()) {
            stats.overflowMaxConnections.increment();
            meters.rejected(cluster.name(), TrafficMeters.BreakerLimit.MAX_CONNECTIONS);
            policy.releaseHedgePermit();
            return;
        }
        if (verdict == RetryPolicy.Verdict.FREE) {
            stats.freeRetries.increment();
        }
        tried.add(next);
        next.requestStarted();
        stats.hedges.increment();
        meters.retried(next);
        hedge = new HedgeTry(next, this, clock);
        hedge.start(pool, needsConnection ? breaker : null, connectTimeout,
                cluster.config().pool().maxResponseHeaderBytes(), request, replay);
    }

    @Override
    public void hedgeAnswered(HedgeTry won, HttpResponse head) {
        if (won != hedge) {
            ReferenceCountUtil.release(head);
            return;
        }
        hedge = null;
        stats.hedgeWins.increment();
        host.hedgeWon(won, head);
    }

    @Override
    public void hedgeFailed(HedgeTry failed, boolean connectFailure, boolean timedOut) {
        if (failed != hedge) {
            return;
        }
        hedge = null;
        policy.releaseHedgePermit();
        EndpointState e = failed.endpoint();
        if (failed.noSocket()) {
            stats.connectFailures.increment();  // local exhaustion, not the endpoint's failure
        } else if (connectFailure) {
            server.outcomes().connectFailed(e, timedOut);
            meters.connectFailed(e);
        } else {
            server.outcomes().failedBeforeResponse(e);
        }
        e.requestEnded();
        if (!host.tryAlive() && host.awaitingHead()) {
            // The first try had failed already and was waiting on this hedge: fail or retry as a whole.
            host.lastTryFailed("endpoint '" + e.id() + "' closed the connection before responding");
        } else if (connectFailure && !timedOut && host.awaitingHead() && policy.triesLeft(tried.count())) {
            // The hedge never reached an endpoint and added no load: hedge again at once rather than leave the
            // request to a silent first try until its header timeout.
            downstream.timerBy(policy.hedgeAgainNow());
        }
    }

    /** When the hedge in flight times out; while it still connects, a connect timeout later at the latest. */
    long timeoutDeadline(Duration connectTimeout, long tryHeaderTimeoutNanos) {
        long sentAt = hedge.connection() != null ? hedge.headSentAt() : clock.getAsLong() + connectTimeout.toNanos();
        return sentAt + tryHeaderTimeoutNanos;
    }

    /**
     * Gives the hedge up when it sent its request and has had no answer for {@code tryHeaderTimeoutNanos}: a failure
     * of its endpoint.
     *
     * @return the endpoint of the hedge given up; null when there is none, or it is not late yet
     */
    EndpointState giveUpIfLate(long now, long tryHeaderTimeoutNanos) {
        HedgeTry late = hedge;
        if (late == null || late.connection() == null || now - (late.headSentAt() + tryHeaderTimeoutNanos) < 0) {
            return null;
        }
        hedge = null;
        late.cancel();
        late.endpoint().requestEnded();
        policy.releaseHedgePermit();
        server.outcomes().failedBeforeResponse(late.endpoint());
        return late.endpoint();
    }

    /** The exchange's own try answered, or the exchange ended: the hedge in flight is of no further use. */
    void cancel() {
        HedgeTry h = hedge;
        if (h != null) {
            hedge = null;
            h.cancel();
            h.endpoint().requestEnded();
            policy.releaseHedgePermit();
        }
    }
}
