package dev.meridian.proxy.upstream;

import dev.meridian.proxy.server.TrafficMeters;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.EndpointState;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * One keep-alive connection to an endpoint, and the last handler of its pipeline. It is either idle in its
 * {@link UpstreamPool} or leased to exactly one exchange, to which it relays the response. Confined to its event loop.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    static final String HANDLER_NAME = "upstream";

    private final EndpointState endpoint;
    private final UpstreamPool pool;
    /** Whose connection count this connection holds a slot of; null: none. */
    private final CircuitBreaker breaker;
    private final TrafficMeters.EndpointMeters meters;
    /** Counted as opened in {@link #meters}: only then is its close counted. */
    private boolean counted;
    private Channel channel;
    private UpstreamListener listener;
    private String failure;
    private boolean reused;
    private boolean reading = true;
    private long idleSinceNanos;
    private long idleTimeoutNanos;

    UpstreamConnection(EndpointState endpoint, UpstreamPool pool, CircuitBreaker breaker,
                       TrafficMeters.EndpointMeters meters) {
        this.endpoint = endpoint;
        this.pool = pool;
        this.breaker = breaker;
        this.meters = meters;
    }

    /** The connection handler of a channel this pool opened. */
    public static UpstreamConnection of(Channel channel) {
        return (UpstreamConnection) channel.pipeline().get(HANDLER_NAME);
    }

    public Channel channel() {
        return channel;
    }

    public EndpointState endpoint() {
        return endpoint;
    }

    /** Whether this connection served an earlier request: then a close before any response byte may be a race. */
    public boolean reused() {
        return reused;
    }

    /** Pauses or resumes reading the response, for backpressure; toggled only on a change (an epoll_ctl each). */
    public void reading(boolean read) {
        if (read != reading) {
            reading = read;
            channel.config().setAutoRead(read);
        }
    }

    /**
     * Hands the connection to an exchange.
     *
     * @return false when the connection is already closed (its close was signalled while nobody held it): the
     *         caller must treat the try as failed, as no close event will come
     */
    public boolean lease(UpstreamListener newListener) {
        if (!channel.isActive()) {
            return false;
        }
        listener = newListener;
        return true;
    }

    /** Forgets the exchange, so nothing more reaches it; the caller closes or releases the channel. */
    public void detach() {
        listener = null;
    }

    void markIdle(long nowNanos, long timeoutNanos) {
        listener = null;
        reused = true;
        idleSinceNanos = nowNanos;
        idleTimeoutNanos = timeoutNanos;
    }

    boolean idleExpired(long nowNanos) {
        return nowNanos - idleSinceNanos >= idleTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = listener;
        if (l == null || !(msg instanceof HttpObject)) {
            // Bytes on an idle connection break HTTP/1.1 framing: the connection cannot be trusted any more.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        HttpObject obj = (HttpObject) msg;
        if (obj.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            failure = "invalid response from endpoint '" + endpoint.id() + "': " + obj.decoderResult().cause();
            ctx.close();
            return;
        }
        if (obj instanceof HttpResponse) {
            l.onResponseHead((HttpResponse) obj);
        }
        if (obj instanceof HttpContent) {
            if (listener == l) {
                l.onResponseContent((HttpContent) obj);
            } else {
                ReferenceCountUtil.release(obj);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
        // Every channel is unregistered exactly once, also one whose connect failed and so never became active:
        // the pool's open count must come down for those too, or refused connects would use up the cap for good.
        pool.closed(this);
        if (breaker != null) {
            breaker.connectionClosed();
        }
        ctx.fireChannelUnregistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        counted = true;
        meters.connectionOpened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            counted = false;
            meters.connectionClosed();
        }
        UpstreamListener l = listener;
        listener = null;
        if (l != null) {
            l.onUpstreamClosed(failure != null ? failure
                    : "endpoint '" + endpoint.id() + "' closed the connection");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = "connection to endpoint '" + endpoint.id() + "' failed: " + cause.getMessage();
        }
        ctx.close();
    }
}
