package dev.meridian.proxy.server;

import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import java.util.concurrent.TimeUnit;

/**
 * Where a failed try of the exchange goes next, if anywhere: the {@link RetryPolicy}'s verdict, counted in the stats
 * and the cluster's meters, and the retry itself, at once or after its backoff. Apart from the policy, one resend to
 * the same endpoint: after a pooled connection closed under the request, a race with the endpoint's idle close
 * rather than a failure.
 *
 * <p>One per client connection, reused by each of its exchanges; confined to its event loop.
 */
final class Retries {
    private final Exchange exchange;
    private final ProxyStats stats;
    private final TrafficMeters meters;
    private final Downstream downstream;
    private final Attempt attempt;
    private final RetryPolicy<EndpointState> policy;
    private final TriedEndpoints tried;
    private final ReplayBuffer replay;
    private final ForwardedRequest request;

    /** What the last retry looked for was granted, or why not. */
    private RetryPolicy.Verdict verdict = RetryPolicy.Verdict.NONE;
    /** The request went again, once, to the same endpoint after a pooled connection closed under it. */
    private boolean resentAfterStaleClose;
    /** Counts backoffs, so one that ends after its exchange moved on (answered, failed, ended) does nothing. */
    private long backoffs;

    Retries(Exchange exchange, ServerContext server, Downstream downstream, Attempt attempt,
            RetryPolicy<EndpointState> policy, TriedEndpoints tried, ReplayBuffer replay, ForwardedRequest request) {
        this.exchange = exchange;
        this.stats = server.stats();
        this.meters = server.meters();
        this.downstream = downstream;
        this.attempt = attempt;
        this.policy = policy;
        this.tried = tried;
        this.replay = replay;
        this.request = request;
    }

    /**
     * Where the request goes now that its current try failed: another endpoint, if the client is still there, no
     * response started, and the policy grants it.
     *
     * @param requestMayHaveArrived whether request bytes were written to the failed try's upstream
     * @return the endpoint to retry on; null when there is none, for the reason {@link #verdict()} gives
     */
    EndpointState target(boolean requestMayHaveArrived) {
        if (downstream.closing() || exchange.responseStarted()) {
            verdict = RetryPolicy.Verdict.NONE;
            return null;
        }
        verdict = policy.retry(tried.count(), requestMayHaveArrived, replay.replayable(),
                attempt.endpoint().status().takesTraffic());
        switch (verdict) {
            case FREE -> stats.freeRetries.increment();
            case MAX_RETRIES -> {
                // An absolute cap, unlike the budget, which grows with traffic: waiting for it would only queue.
                stats.overflowMaxRetries.increment();
                meters.rejected(request.cluster().name(), TrafficMeters.BreakerLimit.MAX_RETRIES);
            }
            case BUDGET_SPENT -> stats.retryBudgetExhausted.increment();
            default -> { }
        }
        return policy.target();
    }

    /** Why the last {@link #target} found no endpoint, or that it found one. */
    RetryPolicy.Verdict verdict() {
        return verdict;
    }

    /** The current try is given up, its connection closed, never pooled: the request goes to {@code next}. */
    void switchTo(EndpointState next) {
        attempt.discard();
        attempt.end();
        retryOn(next);
    }

    /** The request goes to {@code next}, its failed try over: at once, or after the policy's backoff. */
    void retryOn(EndpointState next) {
        stats.retries.increment();
        meters.retried(next);
        long backoff = policy.backoffNanos(tried.count());
        if (backoff <= 0) {
            exchange.startTry(next);
            return;
        }
        exchange.backingOff();
        long ticket = ++backoffs;
        downstream.channel().eventLoop().schedule(() -> {
            if (exchange.state() == Exchange.State.BACKING_OFF && backoffs == ticket && !downstream.closing()) {
                exchange.startTry(next);
            }
        }, backoff, TimeUnit.NANOSECONDS);
    }

    /** What the client is told when the breaker's {@code max_retries} kept a failed try from being retried. */
    static String maxRetriesReason(Cluster cluster, String failure) {
        return "circuit breaker: cluster '" + cluster.name() + "' has max_retries ("
                + cluster.config().circuitBreaker().maxRetries() + ") retries in flight, so this one was not"
                + " retried after: " + failure;
    }

    /**
     * Whether the request goes again to the same endpoint, on a fresh connection, now that {@code closed} closed
     * before any response byte: when it was a pooled connection (the endpoint closed it while idle just as it was
     * reused), the body is kept whole, and this exchange did not do so already.
     */
    boolean resendAfterStaleClose(UpstreamConnection closed) {
        if (!closed.reused() || closed.answered() || resentAfterStaleClose || !replay.replayable()) {
            return false;
        }
        resentAfterStaleClose = true;
        stats.staleRetries.increment();
        return true;
    }

    /** The exchange ended. */
    void clear() {
        resentAfterStaleClose = false;
    }
}
