package dev.meridian.proxy.server;

import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.proxy.upstream.UpstreamPool;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.EndpointState;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A second try of a request that is late to answer, sent to another endpoint while the first still waits. It lives
 * only until a response head arrives: then its owner takes over the connection (the hedge won) or cancels it (the
 * first try won). Confined to the owner's event loop.
 */
final class HedgeTry extends UpstreamTry {

    /** The exchange that launched the hedge. */
    interface Owner {
        /** The hedge answered first; the owner now takes its connection and handles {@code head}. */
        void hedgeAnswered(HedgeTry hedge, HttpResponse head);

        /** The hedge failed before any response byte. */
        void hedgeFailed(HedgeTry hedge, boolean connectFailure, boolean timedOut);
    }

    private final Owner owner;
    private final LongSupplier clock;
    private boolean done;
    /** The connect failed before a socket existed (out of file descriptors): not the endpoint's doing. */
    private boolean noSocket;

    HedgeTry(EndpointState endpoint, Owner owner, LongSupplier clock) {
        this.endpoint = endpoint;
        this.owner = owner;
        this.clock = clock;
    }

    boolean noSocket() {
        return noSocket;
    }

    /**
     * Sends the whole request (head and the kept body) on a pooled or new connection.
     *
     * @param connectionSlot the breaker whose connection slot the caller took for a new connection; null when the
     *                       pool has an idle one
     * @param maxResponseHeaderBytes the cluster's limit on a response's headers, for a new connection
     */
    void start(UpstreamPool pool, CircuitBreaker connectionSlot, Duration connectTimeout, int maxResponseHeaderBytes,
               HttpRequest request, ReplayBuffer body) {
        UpstreamConnection idle = pool.pollIdle(endpoint);
        if (idle != null) {
            send(idle, request, body);
            return;
        }
        ChannelFuture connecting = pool.connect(endpoint, connectTimeout, connectionSlot, maxResponseHeaderBytes);
        connecting.addListener((ChannelFuture f) -> {
            if (done) {
                f.channel().close();
            } else if (f.isSuccess()) {
                send(UpstreamConnection.of(f.channel()), request, body);
            } else {
                done = true;
                noSocket = UpstreamConnection.of(f.channel()) == null;
                owner.hedgeFailed(this, true, f.cause() instanceof ConnectTimeoutException);
            }
        });
    }

    private void send(UpstreamConnection c, HttpRequest request, ReplayBuffer body) {
        connection = c;
        if (!c.lease(this)) {
            done = true;
            owner.hedgeFailed(this, false, false);
            return;
        }
        headSentAt = clock.getAsLong();
        c.channel().write(request, c.channel().voidPromise());
        body.writeTo(c.channel());
        c.channel().flush();
    }

    /** The first try answered, or the exchange ended: this hedge's connection is of no further use. */
    void cancel() {
        done = true;
        if (connection != null) {
            connection.detach();
            connection.channel().close();
        }
    }

    @Override
    public void onResponseHead(HttpResponse response) {
        if (done || response.status().code() < 200) {
            ReferenceCountUtil.release(response);  // interim responses are not answers
            return;
        }
        done = true;
        owner.hedgeAnswered(this, response);
    }

    @Override
    public void onResponseContent(HttpContent content) {
        ReferenceCountUtil.release(content);  // only the end of an interim response reaches here
    }

    @Override
    public void onUpstreamReadComplete() {
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
    }

    @Override
    public void onUpstreamClosed(String reason) {
        if (!done) {
            done = true;
            owner.hedgeFailed(this, false, false);
        }
    }
}
