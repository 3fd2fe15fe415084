package dev.meridian.proxy.server;

import dev.meridian.proxy.observe.ExchangeLog;
import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.proxy.upstream.UpstreamPool;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.function.LongSupplier;

/**
 * The response's way from the try's upstream connection to the downstream: the head made end to end (hop-by-hop
 * headers dropped, Via added, the routing decision when the route asks for it), the body piece by piece under the
 * client's backpressure, and at its end the upstream connection pooled or closed; or the head that makes the
 * connection a tunnel. Which response is relayed, and what the exchange does after, is the exchange's to decide.
 *
 * <p>One per client connection, reused by each of its exchanges; confined to its event loop.
 */
final class ResponseRelay {
    private static final String DECISION_HEADER = "x-meridian-decision";

    private final ServerContext server;
    private final ProxyStats stats;
    private final Downstream downstream;
    private final ExchangeLog exchangeLog;
    private final UpstreamPool pool;
    private final LongSupplier clock;
    private final Attempt attempt;
    private final Admission admission;
    private final ForwardedRequest request;
    private final TriedEndpoints tried;
    private final OutcomeReport outcome;
    private final ExchangeDeadlines deadlines;
    private final LeftoverBody leftover;
    /** The endpoint's response head lets its connection carry another request. */
    private boolean upstreamKeepAlive;

    ResponseRelay(ServerContext server, Downstream downstream, ExchangeLog exchangeLog, UpstreamPool pool,
                  LongSupplier clock, Attempt attempt, Admission admission, ForwardedRequest request,
                  TriedEndpoints tried, OutcomeReport outcome, ExchangeDeadlines deadlines, LeftoverBody leftover) {
        this.server = server;
        this.stats = server.stats();
        this.downstream = downstream;
        this.exchangeLog = exchangeLog;
        this.pool = pool;
        this.clock = clock;
        this.attempt = attempt;
        this.admission = admission;
        this.request = request;
        this.tried = tried;
        this.outcome = outcome;
        this.deadlines = deadlines;
        this.leftover = leftover;
    }

    /** A final response head the exchange keeps goes to the client, at {@code now}. */
    void head(HttpResponse response, long now) {
        int code = response.status().code();
        outcome.responded(admission.routeResponses(), code);
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        boolean hasLength = response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                && !HttpUtil.isTransferEncodingChunked(response);
        ProxyHeaders.prepareResponse(response);
        if (request.decisionHeader()) {
            response.headers().set(DECISION_HEADER, admission.decisionSummary(attempt.endpoint(), tried.count()));
        }
        deadlines.responseStarted(now);
        downstream.sendHead(response, hasLength);
    }

    /** A piece of the response body; the downstream owns it from here. */
    void body(HttpContent content) {
        deadlines.responseBytes(content.content().readableBytes());
        exchangeLog.responseBytes(content.content().readableBytes());
        downstream.sendBody(content);
    }

    /**
     * The response ended whole on {@code c}, the try's connection: pooled for the next request when the request
     * ended too, the endpoint said keep-alive and sent nothing past its response; given the rest of the body when
     * the request did not end and the response was just as clean; closed otherwise.
     */
    void ended(UpstreamConnection c, boolean requestComplete) {
        boolean overran = c.overran();
        if (overran) {
            // Relayed whole as its framing said; the extra bytes would have answered someone else's request.
            stats.upstreamOverruns.increment();
        }
        outcome.settle(attempt.endpoint(), overran);
        boolean clean = upstreamKeepAlive && !server.draining() && !overran;
        if (clean && requestComplete) {
            pool.release(c, request.cluster().config().pool().idleTimeout());
        } else if (!clean || !leftover.take(c)) {
            c.channel().close();
        }
    }

    /**
     * Makes {@code response}, the endpoint's acceptance of a WebSocket handshake (101) or of a CONNECT (2xx) at
     * {@code now}, the head of a tunnel: with the upgrade headers a proxy otherwise drops, and no framing.
     */
    void tunnelHead(HttpResponse response, long now) {
        int code = response.status().code();
        outcome.tunnelOpened(attempt.endpoint(), code, now - attempt.headSentAt(), admission.routeResponses());
        String protocol = response.headers().get(HttpHeaderNames.UPGRADE);
        ProxyHeaders.prepareResponse(response);
        String upgrade = request.upgrade();
        if (upgrade != null) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            response.headers().set(HttpHeaderNames.UPGRADE, protocol == null ? upgrade : protocol);
        } else {
            // A tunnel has no framing: a length or a coding here would tell the client to wait for a body.
            response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
            response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    /** The upstream's read batch ended: what was relayed goes out, and the upstream pauses while the client is full. */
    void upstreamReadComplete() {
        downstream.flush();
        if (attempt.connection() != null && !downstream.writable()) {
            attempt.connection().reading(false);  // the download backpressure; resumed by clientWritabilityChanged
        }
    }

    /** The client can take more (or no more) of the response: the download backpressure. */
    void clientWritabilityChanged(boolean writable) {
        UpstreamConnection upstream = attempt.connection();
        if (upstream != null) {
            if (writable && !upstream.isReading()) {
                deadlines.readingResumed(clock.getAsLong());
            }
            upstream.reading(writable);
        }
    }

    /** The exchange ended. */
    void clear() {
        upstreamKeepAlive = false;
    }
}
