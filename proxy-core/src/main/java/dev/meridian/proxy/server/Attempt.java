package dev.meridian.proxy.server;

import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.proxy.upstream.UpstreamPool;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.EndpointState;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import java.time.Duration;

/**
 * The exchange's current try: one endpoint, its count of requests in flight, and at most one upstream connection,
 * leased or still connecting, with the breaker's pending slot the connect holds. What the connection says goes to
 * the owner as long as the lease lasts; a connect that completes after the try moved on is closed here, unseen.
 *
 * <p>One per client connection, reused by each try of each of its exchanges (a hedge that wins hands its
 * connection over to it), so a try costs no allocation. Confined to the connection's event loop.
 */
final class Attempt extends UpstreamTry {

    /** The exchange the try belongs to. */
    interface Owner {
        /** The connect this try waited for completed, successfully or not; the try no longer waits for it. */
        void connected(ChannelFuture f);

        void responseHead(HttpResponse response);

        void responseContent(HttpContent content);

        void upstreamReadComplete();

        void upstreamWritabilityChanged(boolean writable);

        void upstreamClosed(String reason);
    }

    private final Owner owner;
    private final ChannelFutureListener onConnected = this::connectCompleted;
    private boolean counted;
    /** The channel of the try's connect while it is pending; any other connect completing is stale. */
    private Channel connecting;
    /** The breaker whose pending slot the connect holds; null when it holds none. */
    private CircuitBreaker pendingSlot;
    private boolean backingOff;
    /** The try's per-try timeout passed and was reported; it is kept while a retry waits for budget. */
    private boolean timeoutReported;

    Attempt(Owner owner) {
        this.owner = owner;
    }

    /** The try goes to {@code target}, which counts it as a request in flight until {@link #end}. */
    void start(EndpointState target) {
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
    }

    /** Whether the try is still under way: connected, connecting, or about to start after a backoff. */
    boolean alive() {
        return connection != null || connecting != null || backingOff;
    }

    boolean backingOff() {
        return backingOff;
    }

    void backingOff(boolean waiting) {
        backingOff = waiting;
    }

    boolean timeoutReported() {
        return timeoutReported;
    }

    void timeoutReported(boolean reported) {
        timeoutReported = reported;
    }

    /**
     * Opens a new connection for the try, holding {@code breaker}'s pending slot until it completes; the slot and
     * the connection slot were taken by the caller.
     */
    void connect(UpstreamPool pool, CircuitBreaker breaker, Duration timeout, int maxResponseHeaderBytes) {
        pendingSlot = breaker;
        ChannelFuture f = pool.connect(endpoint, timeout, breaker, maxResponseHeaderBytes);
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
        owner.connected(f);
    }

    /** The try no longer waits for its connection: it has it, it failed, or the try was given up. */
    void connectDone() {
        connecting = null;
        releasePendingSlot();
    }

    /** Gives back a pending slot left from an earlier connect of this try, before the next one asks. */
    void releasePendingSlot() {
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
     * Takes over the connection of a hedge that answered first, as the try of the exchange from now on.
     * The head was just read from that connection, so it is open: the lease cannot fail.
     */
    void adopt(UpstreamTry won) {
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
