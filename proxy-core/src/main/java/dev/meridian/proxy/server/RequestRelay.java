package dev.meridian.proxy.server;

import dev.meridian.proxy.observe.ExchangeLog;
import dev.meridian.proxy.upstream.UpstreamConnection;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;

/**
 * The request's way from the downstream to the try's upstream: the head, with what was kept of the body, sent on
 * each try's connection; the rest of the body piece by piece as it arrives, under the upstream's backpressure and
 * the body limit, kept for a retry while it may be sent again. When a piece may go, and what follows the last, is
 * the exchange's to decide.
 *
 * <p>One per client connection, reused by each of its exchanges; confined to its event loop.
 */
final class RequestRelay {
    private final ServerContext server;
    private final Downstream downstream;
    private final ExchangeLog exchangeLog;
    private final Attempt attempt;
    private final Admission admission;
    private final ForwardedRequest request;
    private final ReplayBuffer replay;
    /** The request body bytes that arrived so far. */
    private long bodyBytes;

    RequestRelay(ServerContext server, Downstream downstream, ExchangeLog exchangeLog, Attempt attempt,
                 Admission admission, ForwardedRequest request, ReplayBuffer replay) {
        this.server = server;
        this.downstream = downstream;
        this.exchangeLog = exchangeLog;
        this.attempt = attempt;
        this.admission = admission;
        this.request = request;
        this.replay = replay;
    }

    /** A request head arrived: none of its body yet. */
    void begin() {
        bodyBytes = 0;
    }

    /** Counts {@code piece} of the body in: whether the body is still within its route's limit. */
    boolean withinLimit(HttpContent piece) {
        bodyBytes += piece.content().readableBytes();
        return bodyBytes <= admission.maxBodyBytes();
    }

    /**
     * How much more of the current request's body may still come and be dropped, once it has been answered: its
     * route's (or the server's) limit less what already arrived.
     */
    long bodyBytesLeft() {
        long limit = admission.maxBodyBytes() > 0 ? admission.maxBodyBytes() : server.serverConfig().maxBodyBytes();
        return Math.max(0, limit - bodyBytes);
    }

    /** Sends the head on {@code c}, the try's new connection, and what a failed try already sent of the body. */
    void sendOn(UpstreamConnection c) {
        c.channel().write(request.head(), c.channel().voidPromise());
        // The first try finds the replay empty.
        replay.writeTo(c.channel());
    }

    /** A piece of the body goes to the try's upstream; the downstream pauses while the upstream is full. */
    void forward(HttpContent piece) {
        replay.keep(piece, request.idempotent(), request.retries().bufferLimitBytes());
        exchangeLog.requestBytes(piece.content().readableBytes());
        Channel upstream = attempt.connection().channel();
        upstream.write(piece, upstream.voidPromise());
        if (!upstream.isWritable()) {
            downstream.requestFlowChanged();
        }
    }

    /** Whether the try's upstream cannot take more of the body now: the upload backpressure. */
    boolean blocked() {
        UpstreamConnection upstream = attempt.connection();
        return upstream != null && !upstream.channel().isWritable();
    }

    /** What was written upstream goes out. */
    void flush() {
        UpstreamConnection upstream = attempt.connection();
        if (upstream != null) {
            upstream.channel().flush();
        }
    }
}
