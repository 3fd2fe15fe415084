package dev.meridian.proxy.server;



import dev.meridian.proxy.observe.ExchangeLog;
import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.geo.ClientLocation;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One HTTP/1.1 client connection, the {@link Downstream} of its exchanges: it frames requests into one
 * {@link Exchange} at a time (pipelined requests wait their turn, so responses leave in order) and frames the
 * responses back, and it owns what belongs to the connection rather than to a request: keep-alive, the limit of
 * requests per connection, the client's pace, lingering close, and the connection's one timer.
 *
 * <p>Backpressure both ways: reading the client pauses while the upstream cannot take more (or messages wait in
 * the queue), and reading the upstream pauses while the client cannot. Auto-read stays on otherwise: toggling it
 * costs epoll_ctl calls, so it is done only when a pause is really needed.
 *
 * <p>Confined to the connection's event loop. The upstream connections of its exchanges live on the same loop, so
 * nothing here needs synchronization.
 */
final class Http1Downstream extends ChannelInboundHandlerAdapter implements Downstream {
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    /** Netty's messages run to about 130 characters and quote little of the client's: keep them whole. */
    private static final int DECODER_REASON_MAX = 200;
    /** What a refusal for want of room tells the client: come back soon, the state changes within seconds. */
    private static final String RETRY_AFTER_SECONDS = "1";

    private final ServerContext server;
    private final ProxyStats stats;
    private final TrafficMeters meters;
    private final ExchangeLog exchangeLog;
    /** Messages decoded from the client that cannot be handled yet (body while connecting, pipelined requests). */
    private final ArrayDeque<HttpObject> pending = new ArrayDeque<>(4);
    private final Runnable onTimer = this::timerFired;
    /** The client's pace: when its head is due and whether its body is too slow. */
    private final ClientPace pace;

    private ChannelHandlerContext ctx;
    private Exchange exchange;
    private String clientIp;
    private ConnectionLocation connectionLocation;
    private boolean closing;
    private boolean clientReading = true;
    private AtomicInteger loopActiveExchanges;
    private long keepAliveNanos;
    private int requestsOnConnection;

    // The current request's framing; set by startExchange().
    private HttpRequest request;
    private HttpVersion clientVersion;
    private boolean headRequest;
    private boolean discardingBody;
    /** Body bytes dropped since the exchange they belonged to was answered, and how many may be. */
    private long discardedBytes;
    private long discardLimit;
    private boolean closeAfterResponse;
    /** The connection closes after a response sent before the whole request was read: it must linger. */
    private boolean requestUnread;
    /** The client sent its body below the minimum rate: it gets no lingering, which would only hold it longer. */
    private boolean bodyTooSlow;
    /** The client learns the end of the response body from the close (an HTTP/1.0 client, no length). */
    private boolean clientBodyEndsAtClose;

    /** The end of the last exchange (or the connection's start) while the connection idles. */
    private long idleSince;
    /** At most one pending timer per connection; it re-arms itself rather than being cancelled per request. */
    private ScheduledFuture<?> timer;
    private long timerDeadline = Long.MAX_VALUE;

    Http1Downstream(ServerContext server, ClientPace pace) {
        this.server = server;
        this.pace = pace;
        this.stats = server.stats();
        this.meters = server.meters();
        this.exchangeLog = new ExchangeLog(server.accessLog());
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
        loopActiveExchanges = server.activeExchangeCounters().get(ctx.channel().eventLoop());
        keepAliveNanos = server.serverConfig().keepAliveTimeout().toNanos();
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
        idleSince = System.nanoTime();
        pace.opened(idleSince);
        timerBy(Math.min(idleSince + keepAliveNanos, pace.headDeadline()));
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
        armClientDeadlines();
    }

    private boolean canHandle(HttpObject obj) {
        if (obj instanceof HttpRequest) {
            return !exchange.inProgress() && !discardingBody;
        }
        return discardingBody || exchange.takesRequestBody();
    }

    private void handle(HttpObject obj) {
        if (!(obj instanceof HttpRequest) && obj.decoderResult().isFailure()) {
            // A broken chunk: the body cannot be trusted, nor the connection's framing after it.
            ReferenceCountUtil.release(obj);
            stats.badRequests.increment();
            closeAfterResponse = true;
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
        } else if (discardingBody) {
            boolean last = obj instanceof LastHttpContent;
            discardedBytes += ((HttpContent) obj).content().readableBytes();
            ReferenceCountUtil.release(obj);
            if (last) {
                discardingBody = false;
            } else if (discardedBytes > discardLimit) {
                // Answered already: a body that goes on past the limit is dropped with its connection.
                stats.bodyTooLarge.increment();
                closing = true;
                releasePending();
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
     * Reads client bytes only while they have somewhere to go: nothing waits in the queue, and a body being
     * streamed finds the upstream writable. That is the upload backpressure.
     */
    @Override
    public void requestFlowChanged() {
        boolean read = !closing && pending.isEmpty() && !exchange.requestBodyBlocked();
        if (read != clientReading) {
            clientReading = read;
            ctx.channel().config().setAutoRead(read);
            pace.reading(read, System.nanoTime());
            if (read) {
                armClientDeadlines();
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
            rejectUndecodable(req);
            return;
        }
        int maxHeaderCount = server.serverConfig().maxHeaderCount();
        if (req.headers().size() > maxHeaderCount) {
            stats.tooManyHeaders.increment();
            rejectAndClose(req, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request has "
                    + req.headers().size() + " header fields, more than " + maxHeaderCount);
            return;
        }
        request = req;
        clientVersion = req.protocolVersion();
        headRequest = HttpMethod.HEAD.equals(req.method());
        clientBodyEndsAtClose = false;
        closeAfterResponse = !HttpUtil.isKeepAlive(req) || server.draining();
        requestUnread = false;
        if (++requestsOnConnection >= server.serverConfig().maxRequestsPerConnection() && !closeAfterResponse) {
            // The last request this connection may carry: its response says so, and the connection closes after.
            closeAfterResponse = true;
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
        int code = response.status().code();
        boolean bodyless = headRequest || code == 204 || code == 304;
        if (!bodyless && !hasLength) {
            if (clientVersion == HttpVersion.HTTP_1_1) {
                response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                closeAfterResponse = true;  // an HTTP/1.0 client learns the body's end from the close
                clientBodyEndsAtClose = true;
            }
        }
        if (server.draining()) {
            closeAfterResponse = true;
        }
        if (closeAfterResponse) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion == HttpVersion.HTTP_1_0) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
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
                if (!skipRestOfRequestBody()) {
                    closeAfterResponse = true;
                    requestUnread = true;
                }
            } else {
                discardRestOfRequestBody();
            }
        }
        if (server.draining()) {
            closeAfterResponse = true;
        }
        FullHttpResponse reply = LocalReply.of(ctx.alloc(), clientVersion, status, reason, closeAfterResponse,
                headRequest);
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
            discardRestOfRequestBody();
        }
        ctx.flush();
    }

    /** The rest of the current request's body goes nowhere; the next request is read once it has ended. */
    private void discardRestOfRequestBody() {
        if (!skipRestOfRequestBody()) {
            discardingBody = true;
            discardedBytes = 0;
            discardLimit = exchange.bodyBytesLeft();
        }
    }

    @Override
    public void abort(boolean midResponse) {
        closing = true;
        releasePending();
        if (midResponse && clientBodyEndsAtClose) {
            // A clean close would tell this client the body is complete: a reset tells it the truth.
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ctx.close();
    }

    @Override
    public void exchangeEnded() {
        loopActiveExchanges.decrementAndGet();
        idleSince = System.nanoTime();
        timerBy(idleSince + keepAliveNanos);
        // A head that began arriving during the exchange is held to its deadline from now on.
        armClientDeadlines();
        request = null;
    }

    @Override
    public void switchProtocols(HttpResponse head, UpstreamConnection upstream, EndpointState endpoint,
                                long idleNanos, long drainIdleNanos) {
        closing = true;  // no more HTTP on this connection: nothing of this handler's may run again
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        releasePending();
        ctx.writeAndFlush(head, ctx.voidPromise());  // through the codec's encoder, before the codec goes
        stats.tunnelsOpened.increment();
        Tunnel.open(ctx.channel(), upstream, endpoint, idleNanos, drainIdleNanos);
        ChannelPipeline p = ctx.pipeline();
        p.remove(ListenerInitializer.CLIENT_PACE);
        p.remove(this);
        p.remove(ListenerInitializer.HTTP_CODEC);  // what its decoder held unread goes on to the tunnel
    }

    @Override
    public void carryOn() {
        if (closing) {
            return;
        }
        if (closeAfterResponse) {
            closing = true;
            releasePending();
            ChannelFuture written = ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
            if (requestUnread && !bodyTooSlow) {
                LingeringClose.after(written);
            } else {
                // A client gets one keep-alive period to take the last of its response.
                LingeringClose.closeWhenWritten(written, Duration.ofNanos(keepAliveNanos));
            }
            return;
        }
        drainPending();
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
        closing = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        releasePending();
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
            closeAfterResponse = true;
        }
    }

    /**
     * Drops the rest of the current request's body when that is cheap: already queued, or known to be empty.
     *
     * @return whether the connection can carry on with the next request
     */
    private boolean skipRestOfRequestBody() {
        while (!pending.isEmpty() && pending.peek() instanceof HttpContent) {
            HttpObject obj = pending.poll();
            boolean last = obj instanceof LastHttpContent;
            ReferenceCountUtil.release(obj);
            if (last) {
                return true;
            }
        }
        if (!HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0L) {
            discardingBody = true;  // only the (empty) end of the request is still to come
            return true;
        }
        return false;
    }

    private void rejectUndecodable(HttpRequest req) {
        Throwable cause = req.decoderResult().cause();
        HttpResponseStatus status;
        String reason;
        if (cause instanceof TooLongHttpLineException) {
            stats.uriTooLong.increment();
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            reason = "request line longer than " + server.serverConfig().maxRequestLineBytes() + " bytes";
        } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            stats.headersTooLarge.increment();
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            reason = "request headers larger than " + server.serverConfig().maxHeaderBytes() + " bytes";
        } else if (cause instanceof FramingViolation violation) {
            status = violation.status();
            reason = cause.getMessage();
            if (status.code() == HttpResponseStatus.REQUEST_URI_TOO_LONG.code()) {
                stats.uriTooLong.increment();
            } else if (status.code() == HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.code()) {
                stats.headersTooLarge.increment();
            } else {
                stats.badRequests.increment();
            }
        } else {
            stats.badRequests.increment();
            status = HttpResponseStatus.BAD_REQUEST;
            reason = "malformed request: " + RequestFraming.printable(Exchange.describe(cause), DECODER_REASON_MAX);
        }
        // The decoder cannot resynchronize after a framing error: answer and close.
        rejectAndClose(req, status, reason);
    }

    /** Answers a request refused on its head alone and closes: its body, if any, is never read. */
    private void rejectAndClose(HttpRequest req, HttpResponseStatus status, String reason) {
        TrafficMeters.responded(meters.noRoute(), status.code());
        closing = true;
        releasePending();
        FullHttpResponse reply = LocalReply.of(ctx.alloc(), HttpVersion.HTTP_1_1, status, reason, true, false);
        exchangeLog.rejected(req, clientIp, status.code(), reason, reply.content().readableBytes(), System.nanoTime());
        ReferenceCountUtil.release(req);
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    /** The body being received fell below the minimum rate: 408 while nothing of the response went out. */
    private void requestBodyTooSlow(long now) {
        stats.slowRequestBodies.increment();
        bodyTooSlow = true;
        String reason = "request body arriving at " + pace.bodyRate(now) + " B/s, below the minimum of "
                + pace.minBodyRate() + " B/s";
        if (exchange.inProgress() && !exchange.responseStarted()) {
            exchange.failBeforeResponse(HttpResponseStatus.REQUEST_TIMEOUT, reason);  // closes: the body is unfinished
        } else {
            exchange.abortClient();
        }
    }

    /**
     * The head being awaited is late: 408 and close when some of it came (slowloris), a plain close when nothing
     * did (a connection opened and left silent). Never on a connection idle between requests: keep-alive ends those.
     */
    private void requestHeadTimedOut() {
        closing = true;
        releasePending();
        if (!pace.headPartial()) {
            stats.silentConnections.increment();
            ctx.close();
            return;
        }
        stats.requestHeaderTimeouts.increment();
        TrafficMeters.responded(meters.noRoute(), HttpResponseStatus.REQUEST_TIMEOUT.code());
        String reason = "request headers not complete within " + pace.headTimeoutMillis() + " ms";
        FullHttpResponse reply = LocalReply.of(ctx.alloc(), HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
                reason, true, false);
        exchangeLog.incompleteHead(clientIp, HttpResponseStatus.REQUEST_TIMEOUT.code(), reason,
                reply.content().readableBytes(), System.nanoTime());
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    private void releasePending() {
        HttpObject obj;
        while ((obj = pending.poll()) != null) {
            ReferenceCountUtil.release(obj);
        }
    }

    // ---- the timer ---------------------------------------------------------------------------------------------

    /**
     * Makes sure the connection's timer fires no later than {@code deadline}. A pending timer that fires earlier is
     * kept: when it fires it finds the deadline moved on and re-arms. So a request costs no scheduling at all in the
     * common case, only a timeout shorter than the pending one does.
     */
    @Override
    public void timerBy(long deadline) {
        if (timer != null) {
            if (timerDeadline <= deadline) {
                return;
            }
            timer.cancel(false);
        }
        timerDeadline = deadline;
        timer = ctx.executor().schedule(onTimer, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /**
     * Makes sure the timer fires by the client's deadlines: the body's first rate check, and between exchanges the
     * head's. Cheap enough for every read: comparisons, and a new schedule only when a deadline is the earliest.
     */
    private void armClientDeadlines() {
        if (closing) {
            return;
        }
        long body = pace.bodyCheck();
        if (body != NO_DEADLINE) {
            timerBy(body);
        }
        long head = exchange.inProgress() ? NO_DEADLINE : pace.headDeadline();
        if (head != NO_DEADLINE) {
            timerBy(head);
        }
    }

    /**
     * Acts on the client's deadlines, and re-arms for those not reached yet. A head is held to its deadline only
     * between exchanges: one pipelined behind a request in progress cannot be read on until that one is done.
     *
     * @return whether the client was answered or its connection closed
     */
    private boolean clientTooSlow(long now) {
        long body = pace.bodyDeadline();
        if (body != NO_DEADLINE) {
            if (now - body >= 0) {
                requestBodyTooSlow(now);
                return true;
            }
            timerBy(body);
        }
        if (!exchange.inProgress() && pending.isEmpty()) {
            long head = pace.headDeadline();
            if (head != NO_DEADLINE) {
                if (now - head >= 0) {
                    requestHeadTimedOut();
                    return true;
                }
                timerBy(head);
            }
        }
        return false;
    }

    private void timerFired() {
        timer = null;
        timerDeadline = Long.MAX_VALUE;
        if (closing) {
            return;
        }
        long now = System.nanoTime();
        if (clientTooSlow(now)) {
            return;
        }
        if (exchange.inProgress()) {
            exchange.timerFired(now);
            return;
        }
        if (pace.headPartial()) {
            return;  // not idle: part of a request is here, and request_header_timeout is armed for it
        }
        long deadline = idleSince + keepAliveNanos;
        if (now - deadline < 0 || !pending.isEmpty()) {
            timerBy(deadline);
            return;
        }
        // Keep-alive idle timeout: nobody is waiting on this connection.
        closing = true;
        ctx.close();
    }
}
