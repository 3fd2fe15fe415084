package dev.meridian.proxy.server;

import dev.meridian.proxy.upstream.ConnectionWaiter;
import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.proxy.upstream.UpstreamPool;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;

/**
 * The exchange's current try: one endpoint, its count of requests in flight, and at most one upstream connection:
 * pooled, or opened within the pool's and the cluster's breaker limits, holding the breaker's pending slot while it
 * connects. A connect that fails is told to the owner as the status and reason the client would get; one that
 * completes after the try moved on is closed here, unseen. What the leased connection says goes to the owner.
 *
 * <p>One per client connection, reused by each try of each of its exchanges (a hedge that wins hands its
 * connection over to it), so a try costs no allocation. Confined to the connection's event loop.
 */
final class Attempt extends UpstreamTry implements ConnectionWaiter {

    /** The exchange the try belongs to. */
    interface Owner {
        /** Whether the exchange still wants the connection its try waited for: it is in progress, its client there. */
        boolean wantsConnection();

        /** The try has its connection, not leased yet: the request goes out on it. */
        void connectionReady(UpstreamConnection c);

        /** A limit refused the try a connection: no other endpoint would do better. */
        void noConnection(HttpResponseStatus status, String reason, boolean forWantOfRoom);

        /** The cluster has max_connections open: the try waits for one of this loop's to come free. */
        void waitingForConnection();

        /** The connect failed before any request byte went out: another endpoint may do better. */
        void connectFailed(HttpResponseStatus status, String reason);

        void responseHead(HttpResponse response);

        void responseContent(HttpContent content);

        void upstreamReadComplete();

        void upstreamWritabilityChanged(boolean writable);

        void upstreamClosed(String reason);
    }

    private final Owner owner;
    private final ServerContext server;
    private final ProxyStats stats;
    private final TrafficMeters meters;
    private final UpstreamPool pool;
    private final ChannelFutureListener onConnected = this::connectCompleted;
    private Cluster cluster;
    private Duration connectTimeout;
    private boolean counted;
    /** The channel of the try's connect while it is pending; any other connect completing is stale. */
    private Channel connecting;
    /** The breaker whose pending slot the connect holds; null when it holds none. */
    private CircuitBreaker pendingSlot;
    /** The try's per-try timeout passed and was reported; it is kept while a retry waits for budget. */
    private boolean timeoutReported;
    /** The try waits in the pool for a connection to come free, holding its pending slot. */
    private boolean waiting;

    Attempt(Owner owner, ServerContext server, UpstreamPool pool) {
        this.owner = owner;
        this.server = server;
        this.stats = server.stats();
        this.meters = server.meters();
        this.pool = pool;
    }

    /**
     * The try goes to {@code target} of {@code cluster}, which counts it as a request in flight until {@link #end};
     * {@link #acquire} gets it its connection.
     */
    void start(EndpointState target, Cluster cluster, Duration connectTimeout) {
        this.cluster = cluster;
        this.connectTimeout = connectTimeout;
        endpoint = target;
        target.requestStarted();
        counted = true;
    }

    /**
     * The try is over: the endpoint's count of requests in flight drops. Its connection, if any, is the caller's to
     * release or discard first.
     */
    void end() {
        timeoutReported = false;
        if (counted) {
            counted = false;
            endpoint.requestEnded();
        }
    }

    /** The exchange ended: nothing of it is kept. */
    void clear() {
        endpoint = null;
        cluster = null;
    }

    /** Whether the try is still under way: connected or connecting. */
    boolean alive() {
        return connection != null || connecting != null || waiting;
    }

    /** Whether the try waits for a busy connection to come free (the cluster's max_connections are open). */
    boolean waiting() {
        return waiting;
    }

    boolean timeoutReported() {
        return timeoutReported;
    }

    void timeoutReported(boolean reported) {
        timeoutReported = reported;
    }

    /**
     * Gets the try a connection: an idle pooled one unless {@code fresh}, else a new one, when the pool's limit per
     * endpoint and the cluster breaker's max_pending_requests and max_connections allow.
     */
    void acquire(boolean fresh) {
        UpstreamConnection c = fresh ? null : pool.pollIdle(endpoint);
        if (c != null) {
            owner.connectionReady(c);
            return;
        }
        int maxPerEndpoint = cluster.config().pool().maxConnectionsPerEndpoint();
        if (!pool.hasCapacity(endpoint, maxPerEndpoint)) {
            stats.poolExhausted.increment();
            owner.noConnection(HttpResponseStatus.SERVICE_UNAVAILABLE, "connection limit to endpoint '"
                    + endpoint.id() + "' reached (" + maxPerEndpoint + ")", false);
            return;
        }
        CircuitBreaker breaker = cluster.breaker();
        releasePendingSlot();
        if (!breaker.tryStartPending()) {
            stats.overflowMaxPending.increment();
            meters.rejected(cluster.name(), TrafficMeters.BreakerLimit.MAX_PENDING);
            owner.noConnection(HttpResponseStatus.SERVICE_UNAVAILABLE, "circuit breaker: cluster '" + cluster.name()
                    + "' has max_pending_requests (" + breaker.limits().maxPendingRequests()
                    + ") waiting for a connection", true);
            return;
        }
        if (!breaker.tryOpenConnection()) {
            // As Envoy's pools do: over max_connections the request waits, in its pending slot, for a connection
            // of this loop's pool to come free, which under load is a response time away; failing it would turn a
            // burst of a thousand clients into 503s while hundreds of connections are about to be released.
            stats.overflowMaxConnections.increment();
            pendingSlot = breaker;
            waiting = true;
            pool.await(endpoint, this);
            owner.waitingForConnection();
            return;
        }
        // The pending slot and the connection slot are taken; the connect holds the pending one until it completes.
        pendingSlot = breaker;
        ChannelFuture f = pool.connect(endpoint, connectTimeout, breaker,
                cluster.config().pool().maxResponseHeaderBytes());
        connecting = f.channel();
        f.addListener(onConnected);
    }

    private void connectCompleted(ChannelFuture f) {
        if (f.channel() != connecting) {
            // A try given up while connecting (its hedge won, or the exchange ended): nobody will send on it.
            f.channel().close();
            return;
        }
        connectDone();
        if (!owner.wantsConnection()) {
            // The client left while we connected: nobody will send on this connection.
            f.channel().close();
            return;
        }
        if (f.isSuccess()) {
            owner.connectionReady(UpstreamConnection.of(f.channel()));
            return;
        }
        Throwable cause = f.cause();
        if (UpstreamConnection.of(f.channel()) == null) {
            // The proxy had no socket to open (out of file descriptors): nothing reached the endpoint, so the
            // failure is not held against it, or local exhaustion would eject healthy endpoints one by one. The
            // proxy is what is overloaded: 503.
            stats.connectFailures.increment();
            owner.connectFailed(HttpResponseStatus.SERVICE_UNAVAILABLE, "no socket to connect to endpoint '"
                    + endpoint.id() + "' (" + endpoint.config().authority() + "): " + LocalReply.describe(cause));
            return;
        }
        boolean timedOut = cause instanceof ConnectTimeoutException;
        server.outcomes().connectFailed(endpoint, timedOut);
        meters.connectFailed(endpoint);
        if (timedOut) {
            stats.connectTimeouts.increment();
            owner.connectFailed(HttpResponseStatus.GATEWAY_TIMEOUT, "connect to endpoint '" + endpoint.id()
                    + "' (" + endpoint.config().authority() + ") timed out after " + connectTimeout.toMillis()
                    + " ms");
        } else {
            stats.connectFailures.increment();
            owner.connectFailed(HttpResponseStatus.BAD_GATEWAY, "cannot connect to endpoint '" + endpoint.id()
                    + "' (" + endpoint.config().authority() + "): " + LocalReply.describe(cause));
        }
    }

    /** The try no longer waits for its connection: it has it, it failed, or the try was given up. */
    void connectDone() {
        connecting = null;
        if (waiting) {
            waiting = false;
            pool.stopWaiting(endpoint, this);
        }
        releasePendingSlot();
    }

    /** Waited the connect timeout for a connection that did not come free: the breaker's 503. */
    void gaveUpWaiting() {
        connectDone();
        CircuitBreaker breaker = cluster.breaker();
        meters.rejected(cluster.name(), TrafficMeters.BreakerLimit.MAX_CONNECTIONS);
        owner.noConnection(HttpResponseStatus.SERVICE_UNAVAILABLE, "circuit breaker: cluster '" + cluster.name()
                + "' has max_connections (" + breaker.limits().maxConnections() + ") open, none came free within "
                + connectTimeout.toMillis() + " ms", true);
    }

    @Override
    public boolean take(UpstreamConnection c) {
        if (!waiting) {
            return false;
        }
        waiting = false;
        releasePendingSlot();
        if (!owner.wantsConnection()) {
            return false;
        }
        owner.connectionReady(c);
        return true;
    }

    @Override
    public void roomFreed() {
        if (!waiting) {
            return;
        }
        waiting = false;
        releasePendingSlot();
        if (owner.wantsConnection()) {
            acquire(false);
        }
    }

    /** How long a try may wait for a connection, of its own or come free. */
    Duration connectTimeout() {
        return connectTimeout;
    }

    /** Gives back a pending slot left from an earlier connect of this try, before the next one asks. */
    private void releasePendingSlot() {
        if (pendingSlot != null) {
            CircuitBreaker breaker = pendingSlot;
            pendingSlot = null;
            breaker.pendingEnded();
        }
    }

    /**
     * Takes {@code c} for the try.
     *
     * @return false when the connection closed before it could be leased
     */
    boolean attach(UpstreamConnection c) {
        connection = c;
        return c.lease(this);
    }

    /** The request head went out at {@code now}: the response's latency counts from here. */
    void headSent(long now) {
        headSentAt = now;
    }

    /**
     * A hedge answered first, at {@code now}: this try lost, and takes over the hedge's connection as the exchange's
     * try from now on. Its own connection may be mid-request, so it is closed, never pooled; a connect it had under
     * way is abandoned.
     */
    void lostTo(UpstreamTry won, long now) {
        if (connection != null) {
            // The first try had taken at least this long without an answer: a lower bound its latency estimate
            // must see, or an endpoint that is always hedged away would keep looking fast.
            endpoint.latency().observe(now - headSentAt, now);
        }
        discard();
        connectDone();
        end();
        adopt(won);
    }

    /** The head was just read from the hedge's connection, so it is open: the lease cannot fail. */
    private void adopt(UpstreamTry won) {
        connection = won.connection();
        connection.lease(this);
        endpoint = won.endpoint();
        counted = true;
        headSentAt = won.headSentAt();
    }

    /** The response ended on the try's connection, which goes back to the caller to pool or close. */
    UpstreamConnection release() {
        UpstreamConnection c = connection;
        connection = null;
        if (c != null) {
            c.detach();
        }
        return c;
    }

    /** The connection may be mid-request or mid-response: it is closed, never pooled. */
    void discard() {
        UpstreamConnection c = release();
        if (c != null) {
            c.channel().close();
        }
    }

    /** The connection was lost; the owner is told what it was through {@link Owner#upstreamClosed}. */
    UpstreamConnection lost() {
        UpstreamConnection c = connection;
        connection = null;
        return c;
    }

    // ---- from the leased connection ----------------------------------------------------------------------------

    @Override
    public void onResponseHead(HttpResponse response) {
        owner.responseHead(response);
    }

    @Override
    public void onResponseContent(HttpContent content) {
        owner.responseContent(content);
    }

    @Override
    public void onUpstreamReadComplete() {
        owner.upstreamReadComplete();
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        owner.upstreamWritabilityChanged(writable);
    }

    @Override
    public void onUpstreamClosed(String reason) {
        owner.upstreamClosed(reason);
    }
}
