package dev.meridian.proxy.upstream;

import dev.meridian.proxy.server.TrafficMeters;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.EndpointState;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
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
    private final ResponseDecoder decoder;
    private final RequestEncoder encoder;
    private Channel channel;
    private UpstreamListener listener;
    /** Why the connection is broken; once set, nothing more it decodes reaches anyone. */
    private String failure;
    /** The failure is a response that broke the protocol (as opposed to a close or a reset). */
    private boolean malformed;
    private boolean headersTooLarge;
    private boolean reused;
    private boolean reading = true;
    private boolean tunnelled;
    private boolean slotGivenBack;
    private long idleSinceNanos;
    private long idleTimeoutNanos;

    UpstreamConnection(EndpointState endpoint, UpstreamPool pool, CircuitBreaker breaker,
                       TrafficMeters.EndpointMeters meters, int maxResponseHeaderBytes) {
        this.endpoint = endpoint;
        this.pool = pool;
        this.breaker = breaker;
        this.meters = meters;
        this.decoder = new ResponseDecoder(maxResponseHeaderBytes, this::unaskedBytes);
        this.encoder = new RequestEncoder(decoder);
    }

    ResponseDecoder decoder() {
        return decoder;
    }

    RequestEncoder encoder() {
        return encoder;
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

    /**
     * Whether some byte of a response arrived for the request now out. A close before any did, on a reused
     * connection, may be the endpoint closing it while idle just as it was reused: a race, not a broken endpoint.
     */
    public boolean answered() {
        return decoder.answered();
    }

    /**
     * The endpoint sent more than the response it announced: the response was relayed whole, but the connection is
     * closed rather than reused, since the extra bytes would answer the next request.
     */
    public boolean overran() {
        return decoder.overran();
    }

    /** The connection broke because the response broke HTTP/1.1 (grammar, framing), not by a close or a reset. */
    public boolean malformed() {
        return malformed;
    }

    /** The connection broke because the response head passed the cluster's max_response_header_size. */
    public boolean headersTooLarge() {
        return headersTooLarge;
    }

    /** Whether the response is read, or paused because the client cannot take more (backpressure). */
    public boolean isReading() {
        return reading;
    }

    /** Whether the connection may carry another request: the last response ended exactly where it said. */
    boolean reusable() {
        if (tunnelled) {
            return false;
        }
        return failure == null && decoder.clean();
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

    /**
     * HTTP has ended on this connection (a 101 answered an upgrade): {@code relay} takes its bytes from here on, in
     * place of the codec, and the connection never goes back to its pool. This handler stays last in the pipeline
     * only to give the pool its slot back when the connection closes.
     */
    public void handOver(String name, ChannelHandler relay) {
        listener = null;
        tunnelled = true;
        ChannelPipeline p = channel.pipeline();
        p.addBefore(HANDLER_NAME, name, relay);
        p.remove(UpstreamPool.ENCODER_NAME);
        p.remove(UpstreamPool.DECODER_NAME);  // what it held unread goes on to the relay
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
        if (failure != null) {
            // Broken (a reset, a bad response): what the decoder still makes of it, such as the end of a body
            // delimited by the close, must not pass for a response that ended well.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (l == null || !(msg instanceof HttpObject)) {
            // Bytes on an idle connection break HTTP/1.1 framing: the connection cannot be trusted any more.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        HttpObject obj = (HttpObject) msg;
        if (obj.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            invalidResponse(obj.decoderResult().cause());
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

    private void invalidResponse(Throwable cause) {
        malformed = true;
        String problem;
        if (cause instanceof InvalidResponseException) {
            headersTooLarge = ((InvalidResponseException) cause).tooLarge();
            problem = cause.getMessage();
        } else {
            String message = cause == null ? null : cause.getMessage();
            problem = message != null ? message : cause == null ? "unknown error" : cause.getClass().getSimpleName();
        }
        failure = "endpoint '" + endpoint.id() + "' sent an invalid response: " + problem;
    }

    /** Bytes arrived while no request was out (the decoder dropped them): the connection's framing is lost. */
    private void unaskedBytes() {
        if (failure == null) {
            failure = "endpoint '" + endpoint.id() + "' sent bytes after the end of its response";
            malformed = true;
        }
        pool.unaskedBytes(this);
        channel.close();
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
        giveSlotBack();
        ctx.fireChannelUnregistered();
    }

    /**
     * The connection no longer counts against its endpoint's cap, nor the breaker's: as soon as it is known to be
     * closed or never to open (its inactivity, its failed connect), not only when it is unregistered, which io_uring
     * does loop turns later, after the ring has given back the socket's operations. Once per connection.
     */
    void giveSlotBack() {
        if (slotGivenBack) {
            return;
        }
        slotGivenBack = true;
        if (breaker != null) {
            breaker.connectionClosed();  // first: a try the pool wakes may open the connection this one leaves room for
        }
        pool.closed(this);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        counted = true;
        meters.connectionOpened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        giveSlotBack();  // before the exchange hears of it: a retry it starts may take the slot
        if (counted) {
            counted = false;
            meters.connectionClosed();
        }
        UpstreamListener l = listener;
        listener = null;
        if (l != null) {
            l.onUpstreamClosed(failure != null ? failure : decoder.answered()
                    ? "endpoint '" + endpoint.id() + "' closed the connection in the middle of the response"
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
