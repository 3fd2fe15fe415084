package dev.meridian.proxy.server;

import dev.meridian.config.ContinuityLevel;
import dev.meridian.config.RetryConfig;
import dev.meridian.config.RouteConfig;
import dev.meridian.config.TimeoutsConfig;
import dev.meridian.proxy.observe.ExchangeLog;
import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.proxy.upstream.UpstreamPool;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.HeaderLookup;
import dev.meridian.routing.OutcomeSink;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RetryBudget;
import dev.meridian.routing.ShedLadder;
import dev.meridian.routing.geo.ClientLocation;
import dev.meridian.routing.geo.GeoLocator;
import dev.meridian.routing.residency.JurisdictionSet;
import dev.meridian.routing.residency.Residency;
import dev.meridian.routing.Route;
import dev.meridian.routing.RoutingTable;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
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
import java.util.concurrent.atomic.LongAdder;

/**
 * One client connection: for each request, match a route, pick an endpoint, lease an upstream connection on this
 * loop, and stream the request there and the response back, one exchange at a time (pipelined requests wait their
 * turn, so responses leave in order).
 *
 * <p>Backpressure both ways: reading the client pauses while the upstream cannot take more (or messages wait in
 * the queue), and reading the upstream pauses while the client cannot. Auto-read stays on otherwise: toggling it
 * costs epoll_ctl calls, so it is done only when a pause is really needed. Every failure ends as a status with a one-line reason when nothing of
 * the response was sent yet, and as a closed connection otherwise.
 *
 * <p>Confined to the connection's event loop. The upstream connection lives on the same loop, so what its
 * {@link Attempt} passes on needs no synchronization either.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter implements Attempt.Owner, HedgeTry.Owner {
    private final ServerContext server;
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    /** Netty's messages run to about 130 characters and quote little of the client's: keep them whole. */
    private static final int DECODER_REASON_MAX = 200;
    private static final String DECISION_HEADER = "x-meridian-decision";
    private static final HttpResponseStatus UNAVAILABLE_FOR_LEGAL_REASONS =
            new HttpResponseStatus(451, "Unavailable For Legal Reasons");
    /** What a refusal for want of room tells the client: come back soon, the state changes within seconds. */
    private static final String RETRY_AFTER_SECONDS = "1";

    private final ProxyStats stats;
    private final TrafficMeters meters;
    /** The response counters of the current exchange's route, by status class. */
    private LongAdder[] routeResponses;
    /** Messages decoded from the client that cannot be handled yet (body while connecting, pipelined requests). */
    private final ArrayDeque<HttpObject> pending = new ArrayDeque<>(4);
    private final HeaderLookup requestHeaders = name -> currentHeaders().get(name);
    private final Runnable onTimer = this::timerFired;

    private ChannelHandlerContext ctx;
    private PickContext pickContext;
    private UpstreamPool pool;
    private String clientIp;
    private ConnectionLocation connectionLocation;
    private boolean closing;
    private boolean clientReading = true;

    // The current exchange; reset by endExchange().
    private boolean inExchange;
    private boolean discardingBody;
    private HttpRequest request;
    private HttpVersion clientVersion;
    private boolean headRequest;
    private boolean clientKeepAlive;
    private Cluster cluster;
    private TimeoutsConfig timeouts;
    private RetryConfig retries;
    private final Attempt attempt = new Attempt(this);
    private boolean retriedStale;
    private boolean idempotent;
    private final TriedEndpoints tried = new TriedEndpoints();
    private final RequestAttributes attributes = new RequestAttributes();
    private final ExchangeLog exchangeLog;
    /** The endpoint jurisdictions the current exchange may be served from; every pick of it is held to them. */
    private JurisdictionSet allowed = JurisdictionSet.ANY;
    /** The current exchange's route when it asks for {@code x-meridian-decision}; null otherwise. */
    private Route decisionRoute;
    private final HashKeys hashKeys = new HashKeys();
    private RetryPolicy<EndpointState> policy;
    /** What the last retry looked for was granted, or why not. */
    private RetryPolicy.Verdict retryVerdict = RetryPolicy.Verdict.NONE;
    /** The exchange holds a request slot of its cluster's circuit breaker. */
    private boolean breakerCounted;
    /** Increments per exchange, so a delayed retry scheduled for an earlier exchange does nothing. */
    private long exchangeId;
    private final ReplayBuffer replay = new ReplayBuffer();
    /** The hedge in flight, if any; at most one per exchange. */
    private HedgeTry hedge;
    private boolean requestComplete;
    private long requestCompleteAt;
    private boolean responseStarted;
    private boolean upstreamKeepAlive;
    /** The client learns the end of the response body from the close (an HTTP/1.0 client, no length). */
    private boolean clientBodyEndsAtClose;
    /**
     * The status of a response head whose outcome waits for the end of its body: a body that breaks off makes the
     * try a failure for outlier detection, not a success. 0: none waiting (5xx are reported at the head).
     */
    private int outcomeStatus;
    private long outcomeLatencyNanos;
    private final ResponsePace responsePace = new ResponsePace();
    private boolean closeAfterResponse;
    /** The connection closes after a response sent before the whole request was read: it must linger. */
    private boolean requestUnread;
    /** The client sent its body below the minimum rate: it gets no lingering, which would only hold it longer. */
    private boolean bodyTooSlow;
    /** Last byte moved for the current exchange, or the end of the last one while the connection idles. */
    private long lastActivity;
    /** At most one pending timer per connection; it re-arms itself rather than being cancelled per request. */
    private ScheduledFuture<?> timer;
    private long timerDeadline = Long.MAX_VALUE;
    private AtomicInteger loopActiveExchanges;
    private long keepAliveNanos;
    /** The client's pace: when its head is due and whether its body is too slow. */
    private final ClientPace pace;
    private int requestsOnConnection;
    /** The current exchange's body limit (its route's, or the server's), and the body bytes forwarded so far. */
    private long maxBodyBytes;
    private long requestBodyBytes;
    /** The current request asked for {@code 100 Continue}: sent once the request is admitted, not before. */
    private boolean continueExpected;

    ProxyHandler(ServerContext server, ClientPace pace) {
        this.server = server;
        this.pace = pace;
        this.stats = server.stats();
        this.exchangeLog = new ExchangeLog(server.accessLog());
        this.meters = server.meters();
    }

    /** The current or last exchange's client location; for tests, on the event loop. */
    ClientLocation clientLocation() {
        return attributes.location();
    }

    private HttpHeaders currentHeaders() {
        return request.headers();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        pickContext = server.pickContexts().get(ctx.channel().eventLoop());
        pool = server.pools().get(ctx.channel().eventLoop());
        loopActiveExchanges = server.activeExchangeCounters().get(ctx.channel().eventLoop());
        keepAliveNanos = server.serverConfig().keepAliveTimeout().toNanos();
        policy = new RetryPolicy<>(new RetryPolicy.Targets<>() {
            @Override
            public EndpointState pickUntried() {
                return cluster.pickExcluding(attributes.applyTo(pickContext), allowed, tried.array(), tried.count());
            }

            @Override
            public boolean takesTraffic(EndpointState e) {
                return e.status().takesTraffic();
            }
        }, System::nanoTime, pickContext.random());
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
        lastActivity = System.nanoTime();
        pace.opened(lastActivity);
        timerBy(Math.min(lastActivity + keepAliveNanos, pace.headDeadline()));
        ctx.fireChannelActive();
    }

    // ---- client side -----------------------------------------------------------------------------------------

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
            syncClientReading();
            return;
        }
        handle(obj);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushUpstream();
        armClientDeadlines();
    }

    private boolean canHandle(HttpObject obj) {
        if (obj instanceof HttpRequest) {
            return !inExchange && !discardingBody;
        }
        return discardingBody || (inExchange && attempt.connection() != null && !requestComplete);
    }

    private void handle(HttpObject obj) {
        if (!(obj instanceof HttpRequest) && obj.decoderResult().isFailure()) {
            // A broken chunk: the body cannot be trusted, nor the connection's framing after it.
            ReferenceCountUtil.release(obj);
            stats.badRequests.increment();
            closeAfterResponse = true;
            if (inExchange) {
                failBeforeResponse(HttpResponseStatus.BAD_REQUEST, "malformed request body");
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
            ReferenceCountUtil.release(obj);
            if (last) {
                discardingBody = false;
            }
        } else {
            forwardRequestContent((HttpContent) obj);
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
    private void syncClientReading() {
        UpstreamConnection upstream = attempt.connection();
        boolean read = !closing && pending.isEmpty()
                && !(upstream != null && !requestComplete && !upstream.channel().isWritable());
        if (read != clientReading) {
            clientReading = read;
            ctx.channel().config().setAutoRead(read);
            pace.reading(read, System.nanoTime());
            if (read) {
                armClientDeadlines();
            }
        }
    }

    private void flushUpstream() {
        UpstreamConnection upstream = attempt.connection();
        if (upstream != null) {
            upstream.channel().flush();
        }
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
        inExchange = true;
        continueExpected = false;
        requestBodyBytes = 0;
        routeResponses = meters.noRoute();
        request = req;
        exchangeLog.begin(req, clientIp, System.nanoTime());
        clientVersion = req.protocolVersion();
        headRequest = HttpMethod.HEAD.equals(req.method());
        clientKeepAlive = HttpUtil.isKeepAlive(req) && !server.draining();
        closeAfterResponse = !clientKeepAlive;
        requestUnread = false;
        if (++requestsOnConnection >= server.serverConfig().maxRequestsPerConnection() && !closeAfterResponse) {
            // The last request this connection may carry: its response says so, and the connection closes after.
            closeAfterResponse = true;
            stats.connectionsAtRequestLimit.increment();
        }
        loopActiveExchanges.incrementAndGet();

        if (req.headers().contains(HttpHeaderNames.EXPECT) && !answerExpectation(req)) {
            return;
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        String uri = req.uri();
        int authorityStart = RequestFraming.absoluteFormAuthorityStart(uri);
        if (authorityStart > 0) {
            // Absolute form (RFC 9112 §3.2.2): the authority in the target is the host (the decoder refused a Host
            // that disagrees); upstreams get origin form.
            int pathStart = RequestFraming.authorityEnd(uri, authorityStart);
            host = uri.substring(authorityStart, pathStart);
            uri = pathStart == uri.length() ? "/" : uri.charAt(pathStart) == '/' ? uri.substring(pathStart)
                    : "/" + uri.substring(pathStart);
            req.setUri(uri);
            req.headers().set(HttpHeaderNames.HOST, host);
        }
        ContinuityLevel level = server.continuity().level();
        if (level == ContinuityLevel.HALT) {
            stats.shedByContinuity.increment();
            replyOverloaded("continuity level 'halt': the proxy serves no traffic");
            return;
        }
        RoutingTable table = server.routing().current();
        Route route = table.match(host, uri, requestHeaders);
        if (route == null) {
            stats.noRoute.increment();
            replyLocally(HttpResponseStatus.NOT_FOUND,
                    "no route for host '" + (host == null ? "" : host) + "' and path '" + pathOf(uri) + "'");
            return;
        }
        exchangeLog.route(route);
        routeResponses = meters.route(route.name());
        if (!bodyFits(req, route)) {
            return;
        }
        int tier = route.config().tier();
        if (!level.admits(tier)) {
            stats.shedByContinuity.increment();
            meters.shed(tier, true);
            replyOverloaded("continuity level '" + level.yamlName() + "' serves tier"
                    + (level.highestTier() == 0 ? " 0" : "s 0-" + level.highestTier()) + " only; route '"
                    + route.name() + "' is tier " + tier);
            return;
        }
        attributes.reset();
        decisionRoute = null;
        GeoLocator locator = table.locator();
        attributes.location(connectionLocation.locate(locator, requestHeaders));
        if (locator.trustedHeader() != null && !connectionLocation.trustedPeer()) {
            // A location any client can claim must not reach upstreams that might believe it either.
            req.headers().remove(locator.trustedHeader());
        }
        attributes.scoreWeights(route.config().score());
        Residency residency = route.residency();
        allowed = residency == null ? JurisdictionSet.ANY : residency.allowedFor(attributes.location());
        if (allowed == JurisdictionSet.DENIED) {
            refuseForResidency(residency, Residency.deniedReason(route.name(), attributes.location()));
            return;
        }
        cluster = route.selectCluster(pickContext);
        hashKeys.apply(cluster, req.headers(), ctx.channel(), attributes);
        EndpointState first = cluster == null ? null : cluster.pick(attributes.applyTo(pickContext), allowed);
        if (first == null && allowed.isRestricted() && cluster != null) {
            refuseForResidency(residency, Residency.noCompliantReason(cluster.name(), allowed,
                    attributes.location()));
            return;
        }
        if (first == null) {
            stats.noEndpoint.increment();
            replyLocally(HttpResponseStatus.SERVICE_UNAVAILABLE, cluster == null
                    ? "route '" + route.name() + "' has no cluster with weight"
                    : "no endpoint of cluster '" + cluster.name() + "' can take traffic");
            return;
        }
        if (!admit(route, tier)) {
            return;
        }
        timeouts = route.timeouts();
        retries = route.config().retries();
        decisionRoute = route.config().decisionHeader() ? route : null;
        idempotent = isIdempotent(req.method());
        exchangeId++;
        prepareUpstreamRequest(req, host);
        policy.begin(retries, cluster.retryBudget(), idempotent);
        stats.proxied.increment();
        if (continueExpected) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER), ctx.voidPromise());
        }
        startAttempt(first);
    }

    /**
     * Sets the exchange's body limit from its route, and answers 413 when the declared length is over it: before
     * anything goes upstream, and before any {@code 100 Continue} invites the body.
     *
     * @return whether the exchange goes on
     */
    private boolean bodyFits(HttpRequest req, Route route) {
        long routeLimit = route.config().maxBodyBytes();
        maxBodyBytes = routeLimit == RouteConfig.SERVER_BODY_LIMIT ? server.serverConfig().maxBodyBytes() : routeLimit;
        long declared = HttpUtil.getContentLength(req, 0L);
        if (declared <= maxBodyBytes) {
            return true;
        }
        stats.bodyTooLarge.increment();
        replyLocally(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body of " + declared
                + " bytes is larger than the limit of " + maxBodyBytes + " bytes (route '" + route.name() + "')");
        return false;
    }

    /**
     * Takes a request slot of the cluster's circuit breaker, or answers 503 when its limit or the shedding of this
     * tier refuses one. Before any upstream work: a refused request costs the cluster nothing.
     */
    private boolean admit(Route route, int tier) {
        CircuitBreaker breaker = cluster.breaker();
        boolean shedding = server.continuity().autoShedding();
        CircuitBreaker.Verdict verdict = breaker.admit(shedding ? tier : RouteConfig.CRITICAL_TIER);
        if (verdict == CircuitBreaker.Verdict.ADMITTED) {
            breakerCounted = true;
            return true;
        }
        int max = breaker.limits().maxRequests();
        String reason;
        if (verdict == CircuitBreaker.Verdict.MAX_REQUESTS) {
            stats.overflowMaxRequests.increment();
            meters.rejected(cluster.name(), TrafficMeters.BreakerLimit.MAX_REQUESTS);
            reason = "circuit breaker: cluster '" + cluster.name() + "' has max_requests (" + max + ") in flight";
        } else if (verdict == CircuitBreaker.Verdict.SHED_IN_FLIGHT) {
            stats.shedByLoad.increment();
            meters.shed(tier, false);
            reason = "shed: cluster '" + cluster.name() + "' has " + breaker.requestsInFlight() + " of "
                    + max + " max_requests in flight, and tier " + tier + " (route '" + route.name()
                    + "') is shed from " + ShedLadder.inFlightPercent(tier) + "%";
        } else {
            stats.shedByLoad.increment();
            meters.shed(tier, false);
            reason = "shed: cluster '" + cluster.name() + "' has more demand than healthy capacity and serves tiers"
                    + " 0-" + breaker.capacityTier() + " only; route '" + route.name() + "' is tier " + tier;
        }
        replyOverloaded(reason);
        return false;
    }

    /**
     * {@code Expect: 100-continue} is answered here (the upstream gets the body without asking), once the request is
     * admitted: a request refused before that gets its final status instead; any other expectation cannot be met
     * (RFC 9110 §10.1.1).
     *
     * @return whether the exchange goes on
     */
    private boolean answerExpectation(HttpRequest req) {
        if (!HttpUtil.is100ContinueExpected(req)) {
            stats.badRequests.increment();
            replyLocally(HttpResponseStatus.EXPECTATION_FAILED,
                    "unsupported expectation '" + req.headers().get(HttpHeaderNames.EXPECT) + "'");
            return false;
        }
        continueExpected = true;
        req.headers().remove(HttpHeaderNames.EXPECT);
        return true;
    }

    /**
     * The short form of this exchange's routing decision: enough for an operator to see where a response came from
     * and why; the admin port's explain gives the long one.
     */
    private String decisionSummary() {
        ClientLocation location = attributes.location();
        return "route=" + decisionRoute.name() + "; cluster=" + cluster.name() + "; policy="
                + cluster.config().policy().yamlName() + "; endpoint=" + attempt.endpoint().id() + "; region="
                + attempt.endpoint().config().region() + "; try=" + tried.count() + "; client="
                + (location == null ? "unknown" : location) + "; allowed=" + allowed;
    }

    /** Fails closed: the request is answered here rather than sent where its data may not go. */
    private void refuseForResidency(Residency residency, String reason) {
        stats.residencyRefused.increment();
        replyLocally(residency.status() == UNAVAILABLE_FOR_LEGAL_REASONS.code() ? UNAVAILABLE_FOR_LEGAL_REASONS
                : HttpResponseStatus.SERVICE_UNAVAILABLE, reason);
    }

    private static boolean isIdempotent(HttpMethod method) {
        return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.PUT.equals(method)
                || HttpMethod.DELETE.equals(method) || HttpMethod.OPTIONS.equals(method)
                || HttpMethod.TRACE.equals(method);
    }

    private void startAttempt(EndpointState target) {
        tried.add(target);
        attempt.start(target);
        acquireUpstream(false);
    }

    private void endAttempt() {
        attempt.end();
    }

    private void prepareUpstreamRequest(HttpRequest req, String host) {
        HttpHeaders headers = req.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(req);
        long contentLength = chunked ? -1 : HttpUtil.getContentLength(req, -1L);
        String via = clientVersion == HttpVersion.HTTP_1_0 ? "1.0" : "1.1";
        // Trust comes from this request's routing, which asked the current locator: a reload applies to it.
        ProxyHeaders.prepareRequest(headers, clientIp, connectionLocation.trustedSource(), host, via,
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

    private void acquireUpstream(boolean fresh) {
        UpstreamConnection c = fresh ? null : pool.pollIdle(attempt.endpoint());
        if (c != null) {
            attach(c);
            return;
        }
        if (!pool.hasCapacity(attempt.endpoint(), cluster.config().pool().maxConnectionsPerEndpoint())) {
            stats.poolExhausted.increment();
            failBeforeResponse(HttpResponseStatus.SERVICE_UNAVAILABLE, "connection limit to endpoint '"
                    + attempt.endpoint().id() + "' reached (" + cluster.config().pool().maxConnectionsPerEndpoint()
                    + ")");
            return;
        }
        CircuitBreaker breaker = cluster.breaker();
        attempt.releasePendingSlot();
        if (!breaker.tryStartPending()) {
            stats.overflowMaxPending.increment();
            meters.rejected(cluster.name(), TrafficMeters.BreakerLimit.MAX_PENDING);
            failOverloaded("circuit breaker: cluster '" + cluster.name() + "' has max_pending_requests ("
                    + breaker.limits().maxPendingRequests() + ") waiting for a connection");
            return;
        }
        if (!breaker.tryOpenConnection()) {
            breaker.pendingEnded();
            stats.overflowMaxConnections.increment();
            meters.rejected(cluster.name(), TrafficMeters.BreakerLimit.MAX_CONNECTIONS);
            failOverloaded("circuit breaker: cluster '" + cluster.name() + "' has max_connections ("
                    + breaker.limits().maxConnections() + ") open");
            return;
        }
        attempt.connect(pool, breaker, timeouts.connect(), cluster.config().pool().maxResponseHeaderBytes());
    }

    /** Whether the current (non-hedge) try is still under way: connected, connecting, or about to start. */
    private boolean primaryAlive() {
        return attempt.alive();
    }

    @Override
    public void connected(ChannelFuture f) {
        if (!inExchange || closing) {
            // The client left while we connected: nobody will send on this connection.
            f.channel().close();
            return;
        }
        if (f.isSuccess()) {
            attach(UpstreamConnection.of(f.channel()));
            return;
        }
        Throwable cause = f.cause();
        if (UpstreamConnection.of(f.channel()) == null) {
            // The proxy had no socket to open (out of file descriptors): nothing reached the endpoint, so the
            // failure is not held against it, or local exhaustion would eject healthy endpoints one by one. The
            // proxy is what is overloaded: 503.
            stats.connectFailures.increment();
            attemptFailed(HttpResponseStatus.SERVICE_UNAVAILABLE, "no socket to connect to endpoint '"
                    + attempt.endpoint().id() + "' (" + attempt.endpoint().config().authority() + "): "
                    + describe(cause), false);
            return;
        }
        boolean timedOut = cause instanceof ConnectTimeoutException;
        outcomes().connectFailed(attempt.endpoint(), timedOut);
        meters.connectFailed(attempt.endpoint());
        if (timedOut) {
            stats.connectTimeouts.increment();
            attemptFailed(HttpResponseStatus.GATEWAY_TIMEOUT, "connect to endpoint '" + attempt.endpoint().id()
                    + "' (" + attempt.endpoint().config().authority() + ") timed out after "
                    + timeouts.connect().toMillis() + " ms", false);
        } else {
            stats.connectFailures.increment();
            attemptFailed(HttpResponseStatus.BAD_GATEWAY, "cannot connect to endpoint '" + attempt.endpoint().id()
                    + "' (" + attempt.endpoint().config().authority() + "): " + describe(cause), false);
        }
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
        if (hedge != null) {
            // The hedge is already the next try; it fails through hedgeFailed or times out on the timer.
            timerBy(hedgeTimeoutDeadline());
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
        long backoff = policy.backoffNanos(tried.count());
        if (backoff <= 0) {
            startAttempt(next);
            return;
        }
        long id = exchangeId;
        attempt.backingOff(true);
        ctx.executor().schedule(() -> {
            if (attempt.backingOff() && inExchange && exchangeId == id && !closing) {
                attempt.backingOff(false);
                startAttempt(next);
            }
        }, backoff, TimeUnit.NANOSECONDS);
    }

    private EndpointState retryTarget(boolean requestMayHaveArrived) {
        if (closing || responseStarted) {
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

    private void attach(UpstreamConnection c) {
        if (!attempt.attach(c)) {
            upstreamClosed("endpoint '" + attempt.endpoint().id() + "' closed the connection");
            return;
        }
        lastActivity = System.nanoTime();
        timerBy(lastActivity + timeouts.idle().toNanos());
        attempt.headSent(lastActivity);
        c.channel().write(request, c.channel().voidPromise());
        // A retry sends what the failed try already sent; the first try finds the replay empty.
        replay.writeTo(c.channel());
        drainPending();
        flushUpstream();
        syncClientReading();
    }

    private void forwardRequestContent(HttpContent content) {
        requestBodyBytes += content.content().readableBytes();
        if (requestBodyBytes > maxBodyBytes) {
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
            syncClientReading();
        }
        if (last) {
            requestComplete = true;
            requestCompleteAt = lastActivity;
            if (!responseStarted) {
                if (hedgeApplies()) {
                    timerBy(policy.armHedge(requestCompleteAt, attempt.endpoint().recentP99Nanos()));
                }
                timerBy(requestCompleteAt + tryHeaderTimeoutNanos());
            }
        }
    }

    private boolean hedgeApplies() {
        HttpMethod method = request.method();
        return policy.hedgeApplies(replay.replayable(),
                HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method));
    }

    private void launchHedge() {
        RetryPolicy.Verdict verdict = policy.hedge(attempt.endpoint().status().takesTraffic());
        if (verdict == RetryPolicy.Verdict.NONE) {
            return;
        }
        if (verdict == RetryPolicy.Verdict.MAX_RETRIES) {
            stats.overflowMaxRetries.increment();  // no hedge for this request: the cap is not worth waiting on
            meters.rejected(cluster.name(), TrafficMeters.BreakerLimit.MAX_RETRIES);
            return;
        }
        if (verdict == RetryPolicy.Verdict.BUDGET_SPENT) {
            stats.retryBudgetExhausted.increment();
            timerBy(policy.hedgeDeadline());
            return;
        }
        EndpointState next = policy.target();
        CircuitBreaker breaker = cluster.breaker();
        boolean needsConnection = !pool.hasIdle(next);
        if (needsConnection && !breaker.tryOpenConnection()) {
            stats.overflowMaxConnections.increment();
            meters.rejected(cluster.name(), TrafficMeters.BreakerLimit.MAX_CONNECTIONS);
            policy.releaseHedgePermit();
            return;
        }
        if (verdict == RetryPolicy.Verdict.FREE) {
            stats.freeRetries.increment();
        }
        tried.add(next);
        next.requestStarted();
        stats.hedges.increment();
        meters.retried(next);
        hedge = new HedgeTry(next, this);
        hedge.start(pool, needsConnection ? breaker : null, timeouts.connect(),
                cluster.config().pool().maxResponseHeaderBytes(), request, replay);
    }

    @Override
    public void hedgeAnswered(HedgeTry won, HttpResponse head) {
        if (won != hedge) {
            return;
        }
        hedge = null;
        stats.hedgeWins.increment();
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

    @Override
    public void hedgeFailed(HedgeTry failed, boolean connectFailure, boolean timedOut) {
        if (failed != hedge) {
            return;
        }
        hedge = null;
        policy.releaseHedgePermit();
        EndpointState e = failed.endpoint();
        if (failed.noSocket()) {
            stats.connectFailures.increment();  // local exhaustion, not the endpoint's failure
        } else if (connectFailure) {
            outcomes().connectFailed(e, timedOut);
            meters.connectFailed(e);
        } else {
            outcomes().failedBeforeResponse(e);
        }
        e.requestEnded();
        if (!primaryAlive() && !responseStarted && inExchange) {
            // The first try had failed already and was waiting on this hedge: fail or retry as a whole.
            attemptFailed(HttpResponseStatus.BAD_GATEWAY, "endpoint '" + e.id()
                    + "' closed the connection before responding", true);
        } else if (connectFailure && !timedOut && inExchange && !responseStarted
                && policy.triesLeft(tried.count())) {
            // The hedge never reached an endpoint and added no load: hedge again at once rather than leave the
            // request to a silent first try until its header timeout.
            timerBy(policy.hedgeAgainNow());
        }
    }

    /** When the hedge in flight times out; while it still connects, a connect timeout later at the latest. */
    private long hedgeTimeoutDeadline() {
        long sentAt = hedge.connection() != null ? hedge.headSentAt()
                : System.nanoTime() + timeouts.connect().toNanos();
        return sentAt + tryHeaderTimeoutNanos();
    }

    private void cancelHedge() {
        HedgeTry h = hedge;
        if (h != null) {
            hedge = null;
            h.cancel();
            h.endpoint().requestEnded();
            policy.releaseHedgePermit();
        }
    }

    private long tryHeaderTimeoutNanos() {
        return policy.tryHeaderTimeoutNanos(timeouts.responseHeader());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamConnection upstream = attempt.connection();
        if (upstream != null) {
            boolean writable = ctx.channel().isWritable();
            if (writable && !upstream.isReading()) {
                responsePace.restart(System.nanoTime());  // the paused time was the client's, not the endpoint's
            }
            upstream.reading(writable);
        }
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
        if (inExchange) {
            discardUpstream();
            endExchange();
        }
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
        if (!inExchange && pending.isEmpty()) {
            closing = true;
            ctx.close();
        } else {
            closeAfterResponse = true;
        }
    }

    // ---- upstream side ---------------------------------------------------------------------------------------

    @Override
    public void responseHead(HttpResponse response) {
        int code = response.status().code();
        if (code < 200) {
            // Interim responses: Meridian answered any Expect itself, and 101 upgrades are not proxied here.
            upstreamKeepAlive = false;
            return;
        }
        lastActivity = System.nanoTime();
        cancelHedge();
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
                discardUpstream();
                endAttempt();
                retryOn(next);
                return;
            }
        }
        responseStarted = true;
        exchangeLog.responded(code);
        TrafficMeters.responded(routeResponses, code);
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        boolean bodyless = headRequest || code == 204 || code == 304;
        boolean hasLength = response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                && !HttpUtil.isTransferEncodingChunked(response);
        ProxyHeaders.prepareResponse(response);
        if (decisionRoute != null) {
            response.headers().set(DECISION_HEADER, decisionSummary());
        }
        if (!bodyless && !hasLength) {
            if (clientVersion == HttpVersion.HTTP_1_1) {
                response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                closeAfterResponse = true;  // an HTTP/1.0 client learns the body's end from the close
                clientBodyEndsAtClose = true;
            }
        }
        responsePace.start(lastActivity, timeouts.minResponseRate(), timeouts.idle().toNanos());
        timerBy(responsePace.judging() ? responsePace.windowEnd() : lastActivity + timeouts.idle().toNanos());
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
    public void responseContent(HttpContent content) {
        if (!responseStarted) {
            ReferenceCountUtil.release(content);  // the end of an interim response
            return;
        }
        lastActivity = System.nanoTime();
        responsePace.received(content.content().readableBytes());
        exchangeLog.responseBytes(content.content().readableBytes());
        ctx.write(content, ctx.voidPromise());
        if (content instanceof LastHttpContent) {
            responseEnded();
        }
    }

    @Override
    public void upstreamReadComplete() {
        ctx.flush();
        if (attempt.connection() != null && !ctx.channel().isWritable()) {
            attempt.connection().reading(false);  // the download backpressure; resumed by channelWritabilityChanged
        }
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        syncClientReading();
    }

    @Override
    public void upstreamClosed(String reason) {
        UpstreamConnection c = attempt.lost();
        if (c == null || !inExchange) {
            return;
        }
        if (responseStarted) {
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
            acquireUpstream(true);
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
        if (!requestComplete) {
            // The endpoint answered before the whole body arrived; the rest of it has nowhere to go.
            closeAfterResponse = true;
            requestUnread = true;
        }
        ctx.flush();
        endExchange();
        afterExchange();
    }

    // ---- endings ---------------------------------------------------------------------------------------------

    private void failBeforeResponse(HttpResponseStatus status, String reason) {
        discardUpstream();
        if (responseStarted) {
            abortClient();
            return;
        }
        replyLocally(status, reason);
    }

    /** A limit refused the current try: 503 with {@code Retry-After}, unless the response already started. */
    private void failOverloaded(String reason) {
        discardUpstream();
        if (responseStarted) {
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
        if (!requestComplete && !skipRestOfRequestBody()) {
            closeAfterResponse = true;
            requestUnread = true;
        }
        if (server.draining()) {
            closeAfterResponse = true;
        }
        FullHttpResponse reply = LocalReply.of(ctx.alloc(), clientVersion, status, reason, closeAfterResponse,
                headRequest);
        if (retryAfter) {
            reply.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        exchangeLog.replied(status.code(), reason, reply.content().readableBytes());
        ctx.writeAndFlush(reply, ctx.voidPromise());
        TrafficMeters.responded(routeResponses, status.code());
        endExchange();
        afterExchange();
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
            reason = "malformed request: " + RequestFraming.printable(describe(cause), DECODER_REASON_MAX);
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

    /**
     * The body went over the exchange's limit: 413 while the response has not started (the upstream try, which got
     * part of the body, is abandoned and its connection closed), a closed connection otherwise.
     */
    private void requestBodyTooLarge() {
        stats.bodyTooLarge.increment();
        if (responseStarted) {
            abortClient();
            return;
        }
        failBeforeResponse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "request body larger than the limit of " + maxBodyBytes + " bytes");
    }

    /** The body being received fell below the minimum rate: 408 while nothing of the response went out. */
    private void requestBodyTooSlow(long now) {
        stats.slowRequestBodies.increment();
        bodyTooSlow = true;
        String reason = "request body arriving at " + pace.bodyRate(now) + " B/s, below the minimum of "
                + pace.minBodyRate() + " B/s";
        if (inExchange && !responseStarted) {
            failBeforeResponse(HttpResponseStatus.REQUEST_TIMEOUT, reason);  // closes: the body is unfinished
        } else {
            abortClient();
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

    private void abortClient() {
        boolean endsAtClose = responseStarted && clientBodyEndsAtClose;
        discardUpstream();
        endExchange();
        closing = true;
        releasePending();
        if (endsAtClose) {
            // A clean close would tell this client the body is complete: a reset tells it the truth.
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ctx.close();
    }

    private void discardUpstream() {
        attempt.discard();
    }

    private void endExchange() {
        if (!inExchange) {
            return;
        }
        inExchange = false;
        exchangeLog.end(attempt.endpoint(), cluster, tried.count(), System.nanoTime());
        settleOutcome(false);
        clientBodyEndsAtClose = false;
        endAttempt();
        cancelHedge();
        attempt.connectDone();
        attempt.backingOff(false);
        if (breakerCounted) {
            breakerCounted = false;
            cluster.breaker().requestEnded();
        }
        policy.end();
        replay.reset();
        tried.clear();
        loopActiveExchanges.decrementAndGet();
        lastActivity = System.nanoTime();
        timerBy(lastActivity + keepAliveNanos);
        // A head that began arriving during the exchange is held to its deadline from now on.
        armClientDeadlines();
        request = null;
        cluster = null;
        attempt.clear();
        timeouts = null;
        retries = null;
        retriedStale = false;
        requestComplete = false;
        responseStarted = false;
        upstreamKeepAlive = false;
    }

    private void afterExchange() {
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
        flushUpstream();
        syncClientReading();
    }

    private void releasePending() {
        HttpObject obj;
        while ((obj = pending.poll()) != null) {
            ReferenceCountUtil.release(obj);
        }
    }

    // ---- timeouts --------------------------------------------------------------------------------------------

    /**
     * Makes sure the connection's timer fires no later than {@code deadline}. A pending timer that fires earlier is
     * kept: when it fires it finds the deadline moved on and re-arms. So a request costs no scheduling at all in the
     * common case, only a timeout shorter than the pending one does.
     */
    private void timerBy(long deadline) {
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
        long head = inExchange ? NO_DEADLINE : pace.headDeadline();
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
        if (!inExchange && pending.isEmpty()) {
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
        if (!inExchange) {
            if (pace.headPartial()) {
                return;  // not idle: part of a request is here, and request_header_timeout is armed for it
            }
            long deadline = lastActivity + keepAliveNanos;
            if (now - deadline < 0 || !pending.isEmpty()) {
                timerBy(deadline);
                return;
            }
            // Keep-alive idle timeout: nobody is waiting on this connection.
            closing = true;
            ctx.close();
            return;
        }
        if (attempt.connection() == null) {
            if (hedge != null && !primaryAlive() && hedge.connection() != null
                    && now - (hedge.headSentAt() + tryHeaderTimeoutNanos()) >= 0) {
                // Only the hedge was left, and it is late too.
                HedgeTry late = hedge;
                hedge = null;
                late.cancel();
                late.endpoint().requestEnded();
                policy.releaseHedgePermit();
                outcomes().failedBeforeResponse(late.endpoint());
                attemptFailed(HttpResponseStatus.GATEWAY_TIMEOUT, "endpoint '" + late.endpoint().id()
                        + "' sent no response headers within " + tryHeaderTimeoutNanos() / 1_000_000 + " ms", true);
                return;
            }
            if (hedge == null && !primaryAlive() && !responseStarted) {
                // Nothing is under way for this request any more: a state no path should leave behind, but the
                // client must get an answer rather than wait forever.
                stats.stuckExchanges.increment();
                failBeforeResponse(HttpResponseStatus.BAD_GATEWAY, "no try of this request is in progress");
                return;
            }
            // Connecting (the connect timeout is the socket's own), backing off, or waiting on a hedge.
            timerBy(hedge != null ? hedgeTimeoutDeadline() : now + Math.min(timeouts.idle().toNanos(),
                    tryHeaderTimeoutNanos()));
            return;
        }
        boolean awaitingHead = requestComplete && !responseStarted;
        if (awaitingHead && hedge == null && policy.hedgeDue(now) && hedgeApplies()) {
            launchHedge();
        }
        if (responseStarted && responsePace.judging() && attempt.connection().isReading()) {
            judgeResponsePace(now);
            return;
        }
        long deadline = awaitingHead
                ? requestCompleteAt + tryHeaderTimeoutNanos()
                : lastActivity + timeouts.idle().toNanos();
        if (now - deadline < 0) {
            timerBy(deadline);
            if (awaitingHead && policy.hedgeWaiting()) {
                timerBy(policy.hedgeDeadline());
            }
            return;
        }
        if (!attempt.timeoutReported()) {
            stats.responseTimeouts.increment();  // once per try, however long a retry then waits for budget
        }
        if (responseStarted) {
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
            if (now - routeDeadline < 0 && hedge == null) {
                EndpointState next = retryTarget(true);
                if (next != null) {
                    discardUpstream();
                    endAttempt();
                    retryOn(next);
                    return;
                }
                if (retryVerdict == RetryPolicy.Verdict.BUDGET_SPENT) {
                    // Failing the client for want of budget would be worse than waiting: keep the try, look again.
                    timerBy(Math.min(now + RetryPolicy.BUDGET_RECHECK_NANOS, routeDeadline));
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
            timerBy(responsePace.windowEnd());
            return;
        }
        if (responsePace.keptUp()) {
            responsePace.restart(now);
            timerBy(responsePace.windowEnd());
            return;
        }
        stats.responseTimeouts.increment();
        if (responsePace.bytes() > 0) {
            stats.slowResponses.increment();
        }
        settleOutcome(true);
        abortClient();
    }

    private static String pathOf(String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        return path.length() > 200 ? path.substring(0, 200) + "..." : path;
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
