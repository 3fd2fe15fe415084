package dev.meridian.proxy.server;

import dev.meridian.proxy.observe.ExchangeLog;
import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.geo.ClientLocation;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * One HTTP/1.1 client connection, the {@link Downstream} of its exchanges: it frames requests into one
 * {@link Exchange} at a time (pipelined requests wait their turn, so responses leave in order) and the responses back
 * ({@link ResponseFraming}), and it owns what belongs to the connection rather than to a request: keep-alive, the
 * limit of requests per connection, the client's pace and the connection's one timer ({@link ClientDeadlines}), the
 * rest of a body answered early ({@link RequestBodyDiscard}), refused heads ({@link HeadRefusals}), lingering close,
 * and the switch to a {@link Tunnel}.
 *
 * <p>Backpressure both ways: reading the client pauses while the upstream cannot take more (or messages wait in
 * the queue, or the codec holds bytes behind a request that may open a tunnel), and reading the upstream pauses while
 * the client cannot. Auto-read stays on otherwise: toggling it costs epoll_ctl calls, so it is done only when a pause
 * is really needed.
 *
 * <p>Confined to the connection's event loop. The upstream connections of its exchanges live on the same loop, so
 * nothing here needs synchronization.
 */
final class Http1Downstream extends ChannelInboundHandlerAdapter implements Downstream {
    /** What a refusal for want of room tells the client: come back soon, the state changes within seconds. */
    private static final String RETRY_AFTER_SECONDS = "1";

    private final ServerContext server;
    private final ProxyStats stats;
    private final ExchangeLog exchangeLog;
    private final LongSupplier clock;
    /** Messages decoded from the client that cannot be handled yet (body while connecting, pipelined requests). */
    private final ArrayDeque<HttpObject> pending = new ArrayDeque<>(4);
    /** The client's pace: when its head is due and whether its body is too slow. */
    private final ClientPace pace;
    private final ServerCodec codec;
    private final ResponseFraming framing = new ResponseFraming();
    private RequestBodyDiscard discard;
    private final HeadRefusals refusals;

    private ChannelHandlerContext ctx;
    private Exchange exchange;
    private ClientDeadlines deadlines;
    private String clientIp;
    private ConnectionLocation connectionLocation;
    private boolean closing;
    private boolean clientReading = true;
    private AtomicInteger loopActiveExchanges;
    private int requestsOnConnection;
    /** The current request, while its exchange runs. */
    private HttpRequest request;

    /**
     * @param codec the connection's codec, which holds back what follows a request that may open a tunnel
     * @param clock the time the connection's deadlines are kept in: {@code System::nanoTime}, as its exchanges'
     */
    Http1Downstream(ServerContext server, ClientPace pace, ServerCodec codec, LongSupplier clock) {
        this.server = server;
        this.pace = pace;
        this.codec = codec;
        this.clock = clock;
        this.stats = server.stats();
        this.exchangeLog = new ExchangeLog(server.accessLog());
        this.refusals = new HeadRefusals(server, exchangeLog, clock);
    }

    /** The current or last exchange's client location; for tests, on the event loop. */
    ClientLocation clientLocation() {
        return exchange.clientLocation();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        exchange = new Exchange(server, this, exchangeLog, server.pickContexts().get(ctx.channel().eventLoop()),
                server.pools().get(ctx.channel().eventLoop()));
        discard = new RequestBodyDiscard(exchange.leftover());
        loopActiveExchanges = server.activeExchangeCounters().get(ctx.channel().eventLoop());
        deadlines = new ClientDeadlines(this, exchange, pace, framing, server, ctx.executor(), clock);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        clientIp = remote.getAddress().getHostAddress();
        connectionLocation = new ConnectionLocation(remote.getAddress().getAddress());
        if (server.draining()) {
            ctx.close();
            return;
        }
        deadlines.opened();
        ctx.fireChannelActive();
    }

    // ---- requests ----------------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        HttpObject obj = (HttpObject) msg;
        pace.decoded(obj);
        if (!pending.isEmpty() || !canHandle(obj)) {
            pending.add(obj);
            requestFlowChanged();
            return;
        }
        handle(obj);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        exchange.flushUpstream();
        if (clientReading && codec.holdsBytes()) {
            requestFlowChanged();  // what comes behind a request that may open a tunnel waits with its decision
        }
        deadlines.arm();
    }

    private boolean canHandle(HttpObject obj) {
        if (obj instanceof HttpRequest) {
            return !exchange.inProgress() && !discard.active();
        }
        return discard.active() || exchange.takesRequestBody();
    }

    private void handle(HttpObject obj) {
        if (!(obj instanceof HttpRequest) && obj.decoderResult().isFailure()) {
            // A broken chunk: the body cannot be trusted, nor the connection's framing after it.
            ReferenceCountUtil.release(obj);
            stats.badRequests.increment();
            framing.closeAfterResponse();
            if (exchange.inProgress()) {
                exchange.failBeforeResponse(HttpResponseStatus.BAD_REQUEST, "malformed request body");
            } else {
                closing = true;
                ctx.close();
            }
            return;
        }
        if (obj instanceof HttpRequest) {
            startExchange((HttpRequest) obj);
        } else if (discard.active()) {
            if (!discard.drop((HttpContent) obj)) {
                stats.bodyTooLarge.increment();
                stopHttp();
                ctx.close();
            }
        } else {
            exchange.requestContent((HttpContent) obj);
        }
    }

    private void drainPending() {
        HttpObject next;
        while (!closing && (next = pending.peek()) != null && canHandle(next)) {
            pending.poll();
            handle(next);
        }
    }

    /**
     * Reads client bytes only while they have somewhere to go: nothing waits in the queue or in the codec, and a
     * body being streamed finds the upstream writable. That is the upload backpressure.
     */
    @Override
    public void requestFlowChanged() {
        boolean read = !closing && pending.isEmpty() && !exchange.requestBodyBlocked() && !codec.holdsBytes();
        if (read != clientReading) {
            clientReading = read;
            ctx.channel().config().setAutoRead(read);
            pace.reading(read, clock.getAsLong());
            if (read) {
                deadlines.arm();
            }
        }
    }

    @Override
    public void requestBodyWelcome() {
        drainPending();
        exchange.flushUpstream();
        requestFlowChanged();
    }

    private void startExchange(HttpRequest req) {
        stats.requests.increment();
        if (req.decoderResult().isFailure()) {
            stopHttp();
            refusals.undecodable(ctx, req, clientIp);
            return;
        }
        if (req.headers().size() > server.serverConfig().maxHeaderCount()) {
            stopHttp();
            refusals.tooManyFields(ctx, req, clientIp);
            return;
        }
        request = req;
        framing.begin(req, !HttpUtil.isKeepAlive(req) || server.draining());
        if (++requestsOnConnection >= server.serverConfig().maxRequestsPerConnection()
                && !framing.closesAfterResponse()) {
            // The last request this connection may carry: its response says so, and the connection closes after.
            framing.closeAfterResponse();
            stats.connectionsAtRequestLimit.increment();
        }
        loopActiveExchanges.incrementAndGet();
        exchange.start(req);
    }

    // ---- Downstream --------------------------------------------------------------------------------------------

    @Override
    public String clientIp() {
        return clientIp;
    }

    @Override
    public ConnectionLocation location() {
        return connectionLocation;
    }

    @Override
    public Channel channel() {
        return ctx.channel();
    }

    @Override
    public boolean closing() {
        return closing;
    }

    @Override
    public void sendContinue() {
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                Unpooled.EMPTY_BUFFER), ctx.voidPromise());
    }

    @Override
    public void sendHead(HttpResponse response, boolean hasLength) {
        framing.frameHead(response, hasLength, server.draining());
        ctx.write(response, ctx.voidPromise());
    }

    @Override
    public void sendBody(HttpContent piece) {
        ctx.write(piece, ctx.voidPromise());
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public boolean writable() {
        return ctx.channel().isWritable();
    }

    @Override
    public int reply(HttpResponseStatus status, String reason, boolean retryAfter, boolean requestComplete) {
        if (!requestComplete) {
            int code = status.code();
            if (code == 413 || code == 408 || code == 400) {
                // The body itself is refused (too large, too slow, malformed): reading it to its end is what the
                // client must not be able to make the proxy do. The reply says Connection: close, and lingers.
                if (!discard.skipRest(pending, request)) {
                    framing.closeWithRequestUnread();
                }
            } else {
                discard.discardRest(pending, request, exchange.bodyBytesLeft());
            }
        }
        FullHttpResponse reply = framing.localReply(ctx.alloc(), status, reason, server.draining());
        if (retryAfter) {
            reply.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        int bytes = reply.content().readableBytes();
        ctx.writeAndFlush(reply, ctx.voidPromise());
        return bytes;
    }

    @Override
    public void responseComplete(boolean requestComplete) {
        if (!requestComplete) {
            // The endpoint answered before the whole body arrived (an early 401, a cache hit for a POST): its
            // response said nothing of a close, so the rest of the body is read and dropped and the connection
            // carries on once it has all come, as if the answer had come last.
            discard.discardRest(pending, request, exchange.bodyBytesLeft());
        }
        ctx.flush();
    }

    @Override
    public void abort(boolean midResponse) {
        stopHttp();
        if (midResponse && framing.bodyEndsAtClose()) {
            // A clean close would tell this client the body is complete: a reset tells it the truth.
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ctx.close();
    }

    @Override
    public void exchangeEnded() {
        loopActiveExchanges.decrementAndGet();
        deadlines.idle();
        request = null;
    }

    @Override
    public void timerBy(long deadline) {
        deadlines.timerBy(deadline);
    }

    @Override
    public void switchProtocols(HttpResponse head, UpstreamConnection upstream, EndpointState endpoint,
                                long idleNanos, long drainIdleNanos) {
        stopHttp();  // no more HTTP on this connection: nothing of this handler's may run again
        deadlines.cancel();
        ctx.writeAndFlush(head, ctx.voidPromise());  // through the codec's encoder, before the codec goes
        stats.tunnelsOpened.increment();
        Tunnel.open(ctx.channel(), upstream, endpoint, idleNanos, drainIdleNanos);
        ChannelPipeline p = ctx.pipeline();
        p.remove(ListenerInitializer.CLIENT_PACE);
        p.remove(this);
        // What the codec held behind the request goes to the tunnel, before anything read from now on.
        p.remove(ListenerInitializer.HTTP_CODEC);
    }

    @Override
    public void carryOn() {
        if (closing) {
            return;
        }
        if (framing.closesAfterResponse()) {
            stopHttp();
            codec.resumeDecoding();  // a closing connection reads only to drop: nothing may pile up in the codec
            ChannelFuture written = ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
            if (framing.lingers()) {
                LingeringClose.after(written);
            } else {
                // A client gets one keep-alive period to take the last of its response.
                LingeringClose.closeWhenWritten(written, Duration.ofNanos(deadlines.keepAliveNanos()));
            }
            return;
        }
        drainPending();
        if (!closing && pending.isEmpty() && !exchange.inProgress()) {
            // Whatever the codec held back waited on the exchange just ended: HTTP goes on, so it is the next request.
            codec.resumeDecoding();
        }
        exchange.flushUpstream();
        requestFlowChanged();
    }

    // ---- the connection ----------------------------------------------------------------------------------------

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        exchange.clientWritabilityChanged(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopHttp();
        deadlines.cancel();
        exchange.connectionClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or a failed write to the client: nothing sensible can be sent any more.
        closing = true;
        ctx.close();
        if (!(cause instanceof IOException)) {
            stats.badRequests.increment();
        }
    }

    /** Called by the server on SIGTERM: an idle connection closes now, a busy one after its response. */
    void drain() {
        if (!exchange.inProgress() && pending.isEmpty()) {
            closing = true;
            ctx.close();
        } else {
            framing.closeAfterResponse();
        }
    }

    /** Whether decoded messages wait their turn: the connection is not idle while they do. */
    boolean requestsWaiting() {
        return !pending.isEmpty();
    }

    /** The keep-alive timeout passed with nothing under way. */
    void closeIdle() {
        closing = true;
        ctx.close();
    }

    /**
     * The head being awaited is late: 408 and close when some of it came (slowloris), a plain close when nothing
     * did (a connection opened and left silent). Never on a connection idle between requests: keep-alive ends those.
     */
    void requestHeadTimedOut() {
        stopHttp();
        if (!pace.headPartial()) {
            stats.silentConnections.increment();
            ctx.close();
            return;
        }
        refusals.headTimedOut(ctx, clientIp, pace.headTimeoutMillis());
    }

    /** Nothing more is read as HTTP on this connection: what waited of it is dropped. */
    private void stopHttp() {
        closing = true;
        HttpObject obj;
        while ((obj = pending.poll()) != null) {
            ReferenceCountUtil.release(obj);
        }
    }
}
