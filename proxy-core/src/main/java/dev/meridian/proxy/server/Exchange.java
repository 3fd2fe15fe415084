package dev.meridian.proxy.server;

import dev.meridian.config.RetryConfig;
import dev.meridian.config.TimeoutsConfig;
import dev.meridian.proxy.observe.ExchangeLog;
import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.proxy.upstream.UpstreamPool;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.OutcomeSink;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.Route;
import dev.meridian.routing.geo.ClientLocation;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * One request's life, whatever protocol its client speaks: match a route, admit it (continuity level, tier
 * shedding, residency, the cluster's circuit breaker), pick an endpoint, send the request there through an
 * {@link Attempt}, retry or hedge as the {@link RetryPolicy} allows, pass the response to the {@link Downstream},
 * and report the outcome, the access log line and the metrics. Every failure ends as a status with a one-line
 * reason when nothing of the response was sent yet, and as an aborted downstream otherwise.
 *
 * <p>One per client connection, reused by each of its requests in turn; confined to the connection's event loop,
 * as the upstream connections it leases are.
 */
final class Exchange implements Attempt.Owner, Hedging.Host {
    private static final String DECISION_HEADER = "x-meridian-decision";

    /** Where the exchange is; the response side only, since a request body may still stream while it answers. */
    enum State {
        /** The head arrived: route, admission and the first pick. */
        ROUTING,
        /** A try waits for its upstream connection, or for its backoff to end. */
        CONNECTING,
        /** The request streams to the try's upstream. */
        SENDING,
        /** The whole request went out; the try (or its hedge) has not answered yet. */
        AWAITING_RESPONSE,
        /** The response head went to the client; its body follows. */
        STREAMING_RESPONSE,
        /** Answered, failed or given up; the exchange waits for the connection's next request. */
        DONE
    }

    private final ServerContext server;
    private final ProxyStats stats;
    private final TrafficMeters meters;
    private final Downstream downstream;
    private final ExchangeLog exchangeLog;
    private final PickContext pickContext;
    private final UpstreamPool pool;
    private final Attempt attempt;
    private final TriedEndpoints tried = new TriedEndpoints();
    private final Admission admission;
    private final ReplayBuffer replay = new ReplayBuffer();
    private final ResponsePace responsePace = new ResponsePace();
    private final RetryPolicy<EndpointState> policy;
    private final Hedging hedging;

    private State state = State.DONE;
    /** The request asks to become a WebSocket and its route lets it: its Upgrade goes on, a 101 makes a tunnel. */
    private String upgrade;
    /** A CONNECT its route allows: a 2xx makes the connection a tunnel to the endpoint. */
    private boolean connectTunnel;
    private HttpRequest request;
    private Cluster cluster;
    private TimeoutsConfig timeouts;
    private RetryConfig retries;
    private boolean idempotent;
    /** The exchange's route when it asks for {@code x-meridian-decision}; null otherwise. */
    private Route decisionRoute;
    /** The exchange holds a request slot of its cluster's circuit breaker. */
    private boolean breakerCounted;
    /** The request went again, once, to the same endpoint after a pooled connection closed under it. */
    private boolean retriedStale;
    /** What the last retry looked for was granted, or why not. */
    private RetryPolicy.Verdict retryVerdict = RetryPolicy.Verdict.NONE;
    /** Increments per exchange, so a delayed retry scheduled for an earlier exchange does nothing. */
    private long exchangeId;
    private boolean requestComplete;
    private long requestCompleteAt;
    private boolean upstreamKeepAlive;
    /**
     * The status of a response head whose outcome waits for the end of its body: a body that breaks off makes the
     * try a failure for outlier detection, not a success. 0: none waiting (5xx are reported at the head).
     */
    private int outcomeStatus;
    private long outcomeLatencyNanos;
    /** Last byte moved for the exchange. */
    private long lastActivity;
    /** The request body bytes forwarded so far. */
    private long requestBodyBytes;

    Exchange(ServerContext server, Downstream downstream, ExchangeLog exchangeLog, PickContext pickContext,
             UpstreamPool pool) {
        this.server = server;
        this.stats = server.stats();
        this.meters = server.meters();
        this.downstream = downstream;
        this.exchangeLog = exchangeLog;
        this.pickContext = pickContext;
        this.pool = pool;
        this.admission = new Admission(server, exchangeLog, pickContext);
        this.attempt = new Attempt(this, server, pool);
        this.policy = new RetryPolicy<>(new RetryPolicy.Targets<>() {
            @Override
            public EndpointState pickUntried() {
                return cluster.pickExcluding(admission.attributes().applyTo(pickContext), admission.allowed(),
                        tried.array(), tried.count());
            }

            @Override
            public boolean takesTraffic(EndpointState e) {
                return e.status().takesTraffic();
            }
        }, System::nanoTime, pickContext.random());
        this.hedging = new Hedging(server, pool, policy, tried, downstream, this);
    }

    // ---- state -------------------------------------------------------------------------------------------------

    /** Whether a request is in progress: from its head until it is answered, failed or given up. */
    boolean inProgress() {
        return state != State.DONE;
    }

    /** Whether the response head went to the client: from now on a failure can only abort. */
    boolean responseStarted() {
        return state == State.STREAMING_RESPONSE;
    }

    private void connecting() {
        state = State.CONNECTING;
    }

    private void sending() {
        state = requestComplete ? State.AWAITING_RESPONSE : State.SENDING;
    }

    private void requestSent() {
        if (state == State.SENDING) {
            state = State.AWAITING_RESPONSE;
        }
    }

    private void streaming() {
        state = State.STREAMING_RESPONSE;
    }

    // ---- what the downstream asks ------------------------------------------------------------------------------

    /** The current or last exchange's client location. */
    ClientLocation clientLocation() {
        return admission.attributes().location();
    }

    /** Whether a piece of request body can go upstream now: the current try has its connection. */
    boolean takesRequestBody() {
        return inProgress() && attempt.connection() != null && !requestComplete;
    }

    /**
     * How much more of the current request's body may still come and be dropped, once it has been answered: its
     * route's (or the server's) limit less what already arrived.
     */
    long bodyBytesLeft() {
        long limit = admission.maxBodyBytes() > 0 ? admission.maxBodyBytes() : server.serverConfig().maxBodyBytes();
        return Math.max(0, limit - requestBodyBytes);
    }

    /** Whether the request body has nowhere to go now: the upload backpressure. */
    boolean requestBodyBlocked() {
        UpstreamConnection upstream = attempt.connection();
        return upstream != null && !requestComplete && !upstream.channel().isWritable();
    }

    /** The client's read batch ended: what was written upstream goes out. */
    void flushUpstream() {
        UpstreamConnection upstream = attempt.connection();
        if (upstream != null) {
            upstream.channel().flush();
        }
    }

    /** The client can take more (or no more) of the response: the download backpressure. */
    void clientWritabilityChanged(boolean writable) {
        UpstreamConnection upstream = attempt.connection();
        if (upstream != null) {
            if (writable && !upstream.isReading()) {
                responsePace.restart(System.nanoTime());  // the paused time was the client's, not the endpoint's
            }
            upstream.reading(writable);
        }
    }

    /** A request head the downstream accepted: the exchange begins. */
    void start(HttpRequest req) {
        state = State.ROUTING;
        requestBodyBytes = 0;
        request = req;
        exchangeLog.begin(req, downstream.clientIp(), System.nanoTime());
        boolean admitted = admission.admit(req, downstream);
        cluster = admission.cluster();
        if (!admitted) {
            replyLocally(admission.refusal(), admission.refusalReason(), admission.refusedForRoom());
            return;
        }
        breakerCounted = true;
        Route route = admission.route();
        timeouts = route.timeouts();
        retries = route.config().retries();
        decisionRoute = route.config().decisionHeader() ? route : null;
        idempotent = isIdempotent(req.method());
        exchangeId++;
        upgrade = webSocketUpgrade(req, route);
        connectTunnel = HttpMethod.CONNECT.equals(req.method());  // Admission refused it unless the route allows
        prepareUpstreamRequest(req, admission.host());
        if (upgrade != null) {
            // Hop-by-hop, so dropped above; asked for end to end here, as the route allows (RFC 6455 §4.1).
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            req.headers().set(HttpHeaderNames.UPGRADE, upgrade);
        }
        policy.begin(retries, cluster.retryBudget(), idempotent);
        stats.proxied.increment();
        if (admission.continueExpected()) {
            downstream.sendContinue();
        }
        startAttempt(admission.first());
    }

    /**
     * The short form of this exchange's routing decision: enough for an operator to see where a response came from
     * and why; the admin port's explain gives the long one.
     */
    private String decisionSummary() {
        ClientLocation location = admission.attributes().location();
        return "route=" + decisionRoute.name() + "; cluster=" + cluster.name() + "; policy="
                + cluster.config().policy().yamlName() + "; endpoint=" + attempt.endpoint().id() + "; region="
                + attempt.endpoint().config().region() + "; try=" + tried.count() + "; client="
                + (location == null ? "unknown" : location) + "; allowed=" + admission.allowed();
    }

    /** The Upgrade value of a WebSocket handshake its route lets through (a GET without a body); null otherwise. */
    private static String webSocketUpgrade(HttpRequest req, Route route) {
        HttpHeaders headers = req.headers();
        if (!route.config().tunnels().websocket() || !HttpMethod.GET.equals(req.method())
                || req.protocolVersion() != HttpVersion.HTTP_1_1
                || !headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0) {
            return null;
        }
        return headers.get(HttpHeaderNames.UPGRADE);
    }

    private static boolean isIdempotent(HttpMethod method) {
        return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.PUT.equals(method)
                || HttpMethod.DELETE.equals(method) || HttpMethod.OPTIONS.equals(method)
                || HttpMethod.TRACE.equals(method);
    }

    private void startAttempt(EndpointState target) {
        tried.add(target);
        connecting();
        attempt.start(target, cluster, timeouts.connect());
        attempt.acquire(false);
    }

    private void endAttempt() {
        attempt.end();
    }

    private void prepareUpstreamRequest(HttpRequest req, String host) {
        HttpHeaders headers = req.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(req);
        long contentLength = chunked ? -1 : HttpUtil.getContentLength(req, -1L);
        String via = req.protocolVersion() == HttpVersion.HTTP_1_0 ? "1.0" : "1.1";
        // Trust comes from this request's routing, which asked the current locator: a reload applies to it.
        ProxyHeaders.prepareRequest(headers, downstream.clientIp(), downstream.location().trustedSource(), host, via,
                server.serverConfig().forwardedHeader());
        if (!headers.contains(HttpHeaderNames.HOST)) {
            // Upstream requests are HTTP/1.1, which needs a Host: an HTTP/1.0 client's lack of one becomes the
            // empty Host RFC 9110 §7.2 asks for, and a Host named in Connection (a trick, not a hop) comes back.
            headers.set(HttpHeaderNames.HOST, host == null ? "" : host);
        }
        // Framing is always ours: a chunked body is re-chunked, never trusted byte for byte, and a length is the
        // decoder's, written canonically.
        RequestFraming.writeUpstreamFraming(headers, chunked, contentLength);
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    /** Whether the current (non-hedge) try is still under way: connected, connecting, or about to start. */
    private boolean primaryAlive() {
        return attempt.alive();
    }

    @Override
    public boolean wantsConnection() {
        return inProgress() && !downstream.closing();
    }

    @Override
    public void noConnection(HttpResponseStatus status, String reason, boolean forWantOfRoom) {
        if (forWantOfRoom) {
            failOverloaded(reason);
        } else {
            failBeforeResponse(status, reason);
        }
    }

    @Override
    public void connectFailed(HttpResponseStatus status, String reason) {
        attemptFailed(status, reason, false);
    }

    private OutcomeSink outcomes() {
        return server.outcomes();
    }

    /**
     * One try failed before any response byte. Retries on another endpoint when that is safe and the budget
     * allows; otherwise the client gets {@code status} and {@code reason}.
     *
     * @param requestMayHaveArrived whether request bytes were written to the upstream (then only an idempotent
     *                              request whose body is kept whole may be sent again)
     */
    private void attemptFailed(HttpResponseStatus status, String reason, boolean requestMayHaveArrived) {
        discardUpstream();
        endAttempt();
        if (hedging.inFlight()) {
            // The hedge is already the next try; it fails through hedgeFailed or times out on the timer.
            downstream.timerBy(hedging.timeoutDeadline(timeouts.connect(), tryHeaderTimeoutNanos()));
            return;
        }
        EndpointState next = retryTarget(requestMayHaveArrived);
        if (next == null && retryVerdict == RetryPolicy.Verdict.MAX_RETRIES) {
            failOverloaded("circuit breaker: cluster '" + cluster.name() + "' has max_retries ("
                    + cluster.config().circuitBreaker().maxRetries() + ") retries in flight, so this one was not"
                    + " retried after: " + reason);
            return;
        }
        if (next == null) {
            failBeforeResponse(status, reason);
            return;
        }
        retryOn(next);
    }

    private void retryOn(EndpointState next) {
        stats.retries.increment();
        meters.retried(next);
        connecting();
        long backoff = policy.backoffNanos(tried.count());
        if (backoff <= 0) {
            startAttempt(next);
            return;
        }
        long id = exchangeId;
        attempt.backingOff(true);
        downstream.channel().eventLoop().schedule(() -> {
            if (attempt.backingOff() && inProgress() && exchangeId == id && !downstream.closing()) {
                attempt.backingOff(false);
                startAttempt(next);
            }
        }, backoff, TimeUnit.NANOSECONDS);
    }

    private EndpointState retryTarget(boolean requestMayHaveArrived) {
        if (downstream.closing() || responseStarted()) {
            retryVerdict = RetryPolicy.Verdict.NONE;
            return null;
        }
        retryVerdict = policy.retry(tried.count(), requestMayHaveArrived, replay.replayable(),
                attempt.endpoint().status().takesTraffic());
        switch (retryVerdict) {
            case FREE -> stats.freeRetries.increment();
            case MAX_RETRIES -> {
                // An absolute cap, unlike the budget, which grows with traffic: waiting for it would only queue.
                stats.overflowMaxRetries.increment();
                meters.rejected(cluster.name(), TrafficMeters.BreakerLimit.MAX_RETRIES);
            }
            case BUDGET_SPENT -> stats.retryBudgetExhausted.increment();
            default -> { }
        }
        return policy.target();
    }

    @Override
    public void connectionReady(UpstreamConnection c) {
        if (!attempt.attach(c)) {
            upstreamClosed("endpoint '" + attempt.endpoint().id() + "' closed the connection");
            return;
        }
        lastActivity = System.nanoTime();
        downstream.timerBy(lastActivity + timeouts.idle().toNanos());
        attempt.headSent(lastActivity);
        sending();
        c.channel().write(request, c.channel().voidPromise());
        // A retry sends what the failed try already sent; the first try finds the replay empty.
        replay.writeTo(c.channel());
        downstream.requestBodyWelcome();
    }

    /** A piece of the request body, forwarded to the current try's upstream. */
    void requestContent(HttpContent content) {
        requestBodyBytes += content.content().readableBytes();
        if (requestBodyBytes > admission.maxBodyBytes()) {
            ReferenceCountUtil.release(content);
            requestBodyTooLarge();
            return;
        }
        lastActivity = System.nanoTime();
        boolean last = content instanceof LastHttpContent;
        replay.keep(content, idempotent, retries.bufferLimitBytes());
        exchangeLog.requestBytes(content.content().readableBytes());
        Channel upstream = attempt.connection().channel();
        upstream.write(content, upstream.voidPromise());
        if (!upstream.isWritable()) {
            downstream.requestFlowChanged();
        }
        if (last) {
            requestComplete = true;
            requestCompleteAt = lastActivity;
            if (!responseStarted()) {
                requestSent();
                if (hedgeApplies()) {
                    downstream.timerBy(policy.armHedge(requestCompleteAt, attempt.endpoint().recentP99Nanos()));
                }
                downstream.timerBy(requestCompleteAt + tryHeaderTimeoutNanos());
            }
        }
    }

    private boolean hedgeApplies() {
        HttpMethod method = request.method();
        // A handshake sent twice would open two tunnels, one of them to nobody.
        return upgrade == null && policy.hedgeApplies(replay.replayable(),
                HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method));
    }

    @Override
    public boolean awaitingHead() {
        return inProgress() && !responseStarted();
    }

    @Override
    public boolean tryAlive() {
        return primaryAlive();
    }

    @Override
    public void lastTryFailed(String reason) {
        attemptFailed(HttpResponseStatus.BAD_GATEWAY, reason, true);
    }

    @Override
    public void hedgeWon(HedgeTry won, HttpResponse head) {
        if (attempt.connection() != null) {
            // The first try had taken at least this long without an answer: a lower bound its latency estimate
            // must see, or an endpoint that is always hedged away would keep looking fast.
            long now = System.nanoTime();
            attempt.endpoint().latency().observe(now - attempt.headSentAt(), now);
        }
        // The first try lost: its connection may be mid-request, so it is closed, never pooled; a connect or a
        // backoff it had under way is abandoned.
        discardUpstream();
        attempt.connectDone();
        attempt.backingOff(false);
        endAttempt();
        attempt.adopt(won);
        responseHead(head);
    }

    private long tryHeaderTimeoutNanos() {
        return policy.tryHeaderTimeoutNanos(timeouts.responseHeader());
    }

    @Override
    public void responseHead(HttpResponse response) {
        int code = response.status().code();
        if (code == 101 && upgrade != null || connectTunnel && code >= 200 && code < 300) {
            switchToTunnel(response);
            return;
        }
        if (code < 200) {
            // Interim responses: Meridian answered any Expect itself; a 101 without an upgrade was refused upstream.
            upstreamKeepAlive = false;
            ReferenceCountUtil.release(response);
            return;
        }
        lastActivity = System.nanoTime();
        hedging.cancel();
        if (code >= 500) {
            outcomes().responded(attempt.endpoint(), code, lastActivity - attempt.headSentAt());
        } else {
            outcomeStatus = code;
            outcomeLatencyNanos = lastActivity - attempt.headSentAt();
        }
        meters.upstreamLatency(cluster.name(), lastActivity - attempt.headSentAt());
        attempt.endpoint().latency().observe(lastActivity - attempt.headSentAt(), lastActivity);
        if (code == 503 && retries.retryOn503() && idempotent && requestComplete) {
            EndpointState next = retryTarget(true);
            if (next != null) {
                ReferenceCountUtil.release(response);
                discardUpstream();
                endAttempt();
                retryOn(next);
                return;
            }
        }
        streaming();
        exchangeLog.responded(code);
        TrafficMeters.responded(admission.routeResponses(), code);
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        boolean hasLength = response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                && !HttpUtil.isTransferEncodingChunked(response);
        ProxyHeaders.prepareResponse(response);
        if (decisionRoute != null) {
            response.headers().set(DECISION_HEADER, decisionSummary());
        }
        responsePace.start(lastActivity, timeouts.minResponseRate(), timeouts.idle().toNanos());
        downstream.timerBy(responsePace.judging() ? responsePace.windowEnd()
                : lastActivity + timeouts.idle().toNanos());
        downstream.sendHead(response, hasLength);
    }

    @Override
    public void responseContent(HttpContent content) {
        if (!responseStarted()) {
            ReferenceCountUtil.release(content);  // the end of an interim response
            return;
        }
        lastActivity = System.nanoTime();
        responsePace.received(content.content().readableBytes());
        exchangeLog.responseBytes(content.content().readableBytes());
        downstream.sendBody(content);
        if (content instanceof LastHttpContent) {
            responseEnded();
        }
    }

    @Override
    public void upstreamReadComplete() {
        downstream.flush();
        if (attempt.connection() != null && !downstream.writable()) {
            attempt.connection().reading(false);  // the download backpressure; resumed by channelWritabilityChanged
        }
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        downstream.requestFlowChanged();
    }

    @Override
    public void upstreamClosed(String reason) {
        UpstreamConnection c = attempt.lost();
        if (c == null || !inProgress()) {
            return;
        }
        if (responseStarted()) {
            countBroken(c);
            settleOutcome(true);
            abortClient();
            return;
        }
        if (c.reused() && !c.answered() && !retriedStale && replay.replayable()) {
            // The endpoint closed an idle keep-alive connection just as we reused it: a race, not a failure of
            // the endpoint, so the same endpoint gets the request again on a fresh connection.
            retriedStale = true;
            stats.staleRetries.increment();
            attempt.acquire(true);
            return;
        }
        countBroken(c);
        outcomes().failedBeforeResponse(attempt.endpoint());
        attemptFailed(HttpResponseStatus.BAD_GATEWAY,
                c.malformed() || c.answered() ? reason : reason + " before responding", true);
    }

    private void countBroken(UpstreamConnection c) {
        if (c.headersTooLarge()) {
            stats.upstreamHeadersTooLarge.increment();
        } else if (c.malformed()) {
            stats.upstreamMalformed.increment();
        } else {
            stats.upstreamResets.increment();
        }
    }

    /**
     * Reports the outcome of a response whose head came earlier: a success, or a failure when its body broke off.
     * Once per response; also when the client left mid-response, which is no fault of the endpoint.
     */
    private void settleOutcome(boolean broken) {
        responsePace.stop();
        if (outcomeStatus == 0) {
            return;
        }
        if (broken) {
            outcomes().responseBroken(attempt.endpoint());
        } else {
            outcomes().responded(attempt.endpoint(), outcomeStatus, outcomeLatencyNanos);
        }
        outcomeStatus = 0;
    }

    /**
     * The endpoint accepted the WebSocket handshake (101) or the CONNECT (2xx): the head goes to the client, with
     * the upgrade headers a proxy otherwise drops, the exchange ends (logged with its status), and the connection
     * becomes a tunnel that counts on the endpoint until it closes.
     */
    private void switchToTunnel(HttpResponse response) {
        long now = System.nanoTime();
        hedging.cancel();
        EndpointState endpoint = attempt.endpoint();
        int code = response.status().code();
        outcomes().responded(endpoint, code, now - attempt.headSentAt());
        exchangeLog.responded(code);
        if (code != 101) {
            TrafficMeters.responded(admission.routeResponses(), code);
        }
        String protocol = response.headers().get(HttpHeaderNames.UPGRADE);
        ProxyHeaders.prepareResponse(response);
        if (upgrade != null) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            response.headers().set(HttpHeaderNames.UPGRADE, protocol == null ? upgrade : protocol);
        } else {
            // A tunnel has no framing: a length or a coding here would tell the client to wait for a body.
            response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
            response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        long idleNanos = admission.route().config().tunnels().idleTimeout().toNanos();
        long drainIdleNanos = timeouts.idle().toNanos();
        UpstreamConnection c = attempt.release();
        end();
        downstream.switchProtocols(response, c, endpoint, idleNanos, drainIdleNanos);
    }

    private void responseEnded() {
        UpstreamConnection c = attempt.release();
        if (c != null) {
            boolean overran = c.overran();
            if (overran) {
                // Relayed whole as its framing said; the extra bytes would have answered someone else's request.
                stats.upstreamOverruns.increment();
            }
            settleOutcome(overran);
            if (requestComplete && upstreamKeepAlive && !server.draining() && !overran) {
                pool.release(c, cluster.config().pool().idleTimeout());
            } else {
                c.channel().close();
            }
        }
        downstream.responseComplete(requestComplete);
        end();
        downstream.carryOn();
    }

    void failBeforeResponse(HttpResponseStatus status, String reason) {
        discardUpstream();
        if (responseStarted()) {
            abortClient();
            return;
        }
        replyLocally(status, reason);
    }

    /** A limit refused the current try: 503 with {@code Retry-After}, unless the response already started. */
    private void failOverloaded(String reason) {
        discardUpstream();
        if (responseStarted()) {
            abortClient();
            return;
        }
        replyOverloaded(reason);
    }

    /** Answers the current request 503 with {@code Retry-After}: refused for want of room, not for a fault. */
    private void replyOverloaded(String reason) {
        replyLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, reason, true);
    }

    private void replyLocally(HttpResponseStatus status, String reason) {
        replyLocally(status, reason, false);
    }

    /** Answers the current request from here; the request's body, if any is still to come, is skipped or closed. */
    private void replyLocally(HttpResponseStatus status, String reason, boolean retryAfter) {
        int bytes = downstream.reply(status, reason, retryAfter, requestComplete);
        exchangeLog.replied(status.code(), reason, bytes);
        TrafficMeters.responded(admission.routeResponses(), status.code());
        end();
        downstream.carryOn();
    }

    /**
     * The body went over the exchange's limit: 413 while the response has not started (the upstream try, which got
     * part of the body, is abandoned and its connection closed), a closed connection otherwise.
     */
    private void requestBodyTooLarge() {
        stats.bodyTooLarge.increment();
        if (responseStarted()) {
            abortClient();
            return;
        }
        failBeforeResponse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "request body larger than the limit of " + admission.maxBodyBytes() + " bytes");
    }

    private void discardUpstream() {
        attempt.discard();
    }

    /** Ends the client connection mid-exchange: nothing sensible can be sent on it any more. */
    void abortClient() {
        boolean midResponse = responseStarted();
        discardUpstream();
        end();
        downstream.abort(midResponse);
    }

    /** The client connection closed: whatever the exchange had under way is given up. */
    void connectionClosed() {
        if (inProgress()) {
            discardUpstream();
            end();
        }
    }

    private void end() {
        if (!inProgress()) {
            return;
        }
        state = State.DONE;
        exchangeLog.end(attempt.endpoint(), cluster, tried.count(), System.nanoTime());
        settleOutcome(false);
        endAttempt();
        hedging.cancel();
        attempt.connectDone();
        attempt.backingOff(false);
        if (breakerCounted) {
            breakerCounted = false;
            cluster.breaker().requestEnded();
        }
        policy.end();
        replay.reset();
        tried.clear();
        downstream.exchangeEnded();
        ReferenceCountUtil.release(request);  // a pooled head goes back once nothing reads it
        request = null;
        cluster = null;
        admission.clear();
        attempt.clear();
        timeouts = null;
        retries = null;
        retriedStale = false;
        requestComplete = false;
        upstreamKeepAlive = false;
        upgrade = null;
        connectTunnel = false;
    }

    /**
     * Acts on the exchange's deadlines at {@code now}: connect and header timeouts of its tries, the hedge, the
     * idle and pace limits of the response; and re-arms the connection's timer for those not reached yet.
     */
    void timerFired(long now) {
        if (attempt.connection() == null) {
            // Only the hedge was left, and it is late too.
            EndpointState late = primaryAlive() ? null : hedging.giveUpIfLate(now, tryHeaderTimeoutNanos());
            if (late != null) {
                attemptFailed(HttpResponseStatus.GATEWAY_TIMEOUT, "endpoint '" + late.id()
                        + "' sent no response headers within " + tryHeaderTimeoutNanos() / 1_000_000 + " ms", true);
                return;
            }
            if (!hedging.inFlight() && !primaryAlive() && !responseStarted()) {
                // Nothing is under way for this request any more: a state no path should leave behind, but the
                // client must get an answer rather than wait forever.
                stats.stuckExchanges.increment();
                failBeforeResponse(HttpResponseStatus.BAD_GATEWAY, "no try of this request is in progress");
                return;
            }
            // Connecting (the connect timeout is the socket's own), backing off, or waiting on a hedge.
            downstream.timerBy(hedging.inFlight()
                    ? hedging.timeoutDeadline(timeouts.connect(), tryHeaderTimeoutNanos())
                    : now + Math.min(timeouts.idle().toNanos(), tryHeaderTimeoutNanos()));
            return;
        }
        boolean awaitingHead = requestComplete && !responseStarted();
        if (awaitingHead && !hedging.inFlight() && policy.hedgeDue(now) && hedgeApplies()) {
            hedging.launch(attempt.endpoint(), cluster, timeouts.connect(), request, replay);
        }
        if (responseStarted() && responsePace.judging() && attempt.connection().isReading()) {
            judgeResponsePace(now);
            return;
        }
        long deadline = awaitingHead
                ? requestCompleteAt + tryHeaderTimeoutNanos()
                : lastActivity + timeouts.idle().toNanos();
        if (now - deadline < 0) {
            downstream.timerBy(deadline);
            if (awaitingHead && policy.hedgeWaiting()) {
                downstream.timerBy(policy.hedgeDeadline());
            }
            return;
        }
        if (!attempt.timeoutReported()) {
            stats.responseTimeouts.increment();  // once per try, however long a retry then waits for budget
        }
        if (responseStarted()) {
            // Silent while Meridian was reading: the endpoint stalled. Paused for a slow client: the client did.
            settleOutcome(attempt.connection().isReading());
            abortClient();
            return;
        }
        if (!attempt.timeoutReported()) {
            attempt.timeoutReported(true);
            outcomes().failedBeforeResponse(attempt.endpoint());
        }
        if (awaitingHead) {
            long routeDeadline = requestCompleteAt + timeouts.responseHeader().toNanos();
            if (now - routeDeadline < 0 && !hedging.inFlight()) {
                EndpointState next = retryTarget(true);
                if (next != null) {
                    discardUpstream();
                    endAttempt();
                    retryOn(next);
                    return;
                }
                if (retryVerdict == RetryPolicy.Verdict.BUDGET_SPENT) {
                    // Failing the client for want of budget would be worse than waiting: keep the try, look again.
                    downstream.timerBy(Math.min(now + RetryPolicy.BUDGET_RECHECK_NANOS, routeDeadline));
                    return;
                }
            }
            attemptFailed(HttpResponseStatus.GATEWAY_TIMEOUT, "endpoint '" + attempt.endpoint().id()
                    + "' sent no response headers within " + tryHeaderTimeoutNanos() / 1_000_000 + " ms", true);
        } else {
            attemptFailed(HttpResponseStatus.GATEWAY_TIMEOUT, "request to endpoint '" + attempt.endpoint().id()
                    + "' stalled for " + timeouts.idle().toMillis() + " ms", true);
        }
    }

    /**
     * The end of a pace window of the response body: a window that brought at least the route's min_response_rate
     * starts the next; one that did not, silent or trickling, ends the response.
     */
    private void judgeResponsePace(long now) {
        if (now - responsePace.windowEnd() < 0) {
            downstream.timerBy(responsePace.windowEnd());
            return;
        }
        if (responsePace.keptUp()) {
            responsePace.restart(now);
            downstream.timerBy(responsePace.windowEnd());
            return;
        }
        stats.responseTimeouts.increment();
        if (responsePace.bytes() > 0) {
            stats.slowResponses.increment();
        }
        settleOutcome(true);
        abortClient();
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
