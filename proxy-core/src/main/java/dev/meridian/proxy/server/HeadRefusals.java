package dev.meridian.proxy.server;

import dev.meridian.config.ServerConfig;
import dev.meridian.proxy.observe.ExchangeLog;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.function.LongSupplier;

/**
 * The answers to request heads a client connection cannot serve: heads the decoder refused or could not read, heads
 * over a limit, and heads that never completed. Each is counted, logged and answered with a status and a reason, and
 * the connection closes after the answer: the decoder cannot resynchronize after a framing error, and a request's
 * body, if any, is never read. Event loop only.
 */
final class HeadRefusals {
    /** Netty's messages run to about 130 characters and quote little of the client's: keep them whole. */
    private static final int DECODER_REASON_MAX = 200;

    private final ServerConfig limits;
    private final ProxyStats stats;
    private final TrafficMeters meters;
    private final ExchangeLog exchangeLog;
    private final LongSupplier clock;

    HeadRefusals(ServerContext server, ExchangeLog exchangeLog, LongSupplier clock) {
        this.limits = server.serverConfig();
        this.stats = server.stats();
        this.meters = server.meters();
        this.exchangeLog = exchangeLog;
        this.clock = clock;
    }

    /** A head the decoder failed on: the status and reason its failure calls for. */
    void undecodable(ChannelHandlerContext ctx, HttpRequest req, String clientIp) {
        Throwable cause = req.decoderResult().cause();
        HttpResponseStatus status;
        String reason;
        if (cause instanceof TooLongHttpLineException) {
            stats.uriTooLong.increment();
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            reason = "request line longer than " + limits.maxRequestLineBytes() + " bytes";
        } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            stats.headersTooLarge.increment();
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            reason = "request headers larger than " + limits.maxHeaderBytes() + " bytes";
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
            reason = "malformed request: " + RequestFraming.printable(LocalReply.describe(cause), DECODER_REASON_MAX);
        }
        refuse(ctx, req, clientIp, status, reason);
    }

    /** A head with more fields than {@code max_header_count}. */
    void tooManyFields(ChannelHandlerContext ctx, HttpRequest req, String clientIp) {
        stats.tooManyHeaders.increment();
        refuse(ctx, req, clientIp, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request has "
                + req.headers().size() + " header fields, more than " + limits.maxHeaderCount());
    }

    /** Answers {@code req}, which this releases, and closes once the answer is written. */
    void refuse(ChannelHandlerContext ctx, HttpRequest req, String clientIp, HttpResponseStatus status,
                String reason) {
        TrafficMeters.responded(meters.noRoute(), status.code());
        FullHttpResponse reply = LocalReply.of(ctx.alloc(), HttpVersion.HTTP_1_1, status, reason, true, false);
        exchangeLog.rejected(req, clientIp, status.code(), reason, reply.content().readableBytes(),
                clock.getAsLong());
        ReferenceCountUtil.release(req);
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    /** Part of a head came and the rest did not within {@code request_header_timeout}: 408, then the close. */
    void headTimedOut(ChannelHandlerContext ctx, String clientIp, long timeoutMillis) {
        stats.requestHeaderTimeouts.increment();
        TrafficMeters.responded(meters.noRoute(), HttpResponseStatus.REQUEST_TIMEOUT.code());
        String reason = "request headers not complete within " + timeoutMillis + " ms";
        FullHttpResponse reply = LocalReply.of(ctx.alloc(), HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
                reason, true, false);
        exchangeLog.incompleteHead(clientIp, HttpResponseStatus.REQUEST_TIMEOUT.code(), reason,
                reply.content().readableBytes(), clock.getAsLong());
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }
}
