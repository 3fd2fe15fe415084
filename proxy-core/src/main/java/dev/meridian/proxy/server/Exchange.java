package dev.meridian.proxy.server;

import dev.meridian.proxy.observe.ExchangeLog;
import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.proxy.upstream.UpstreamPool;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.geo.ClientLocation;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.LongSupplier;

/**
 * One request's life, whatever protocol its client speaks: match a route, admit it ({@link Admission}), send it to
 * the picked endpoint through an {@link Attempt} ({@link RequestRelay}), retry ({@link Retries}) or hedge
 * ({@link Hedging}) as the {@link RetryPolicy} allows, relay the response to the {@link Downstream}
 * ({@link ResponseRelay}), hold it all to its deadlines ({@link ExchangeDeadlines}), and report how it went
 * ({@link OutcomeReport}). Every failure ends as a status with a one-line reason when nothing of the response was
 * sent yet, and as an aborted downstream otherwise. This class is the state machine those parts report to: each
 * change of {@link State} is a named transition here.
 *
 * <p>One per client connection, reused by each of its requests in turn; confined to the connection's event loop,
 * as the upstream connections it leases are.
 */
final class Exchange implements Attempt.Owner, Hedging.Host {

    /** Where the exchange is; the response side only, since a request body may still stream while it answers. */
    enum State {
        /** The head arrived: route, admission and the first pick. */
        ROUTING,
        /** A try waits for its upstream connection. */
        CONNECTING,
        /** A try failed; the next one waits for its backoff to end. */
        BACKING_OFF,
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
    private final LongSupplier clock;
    private final Attempt attempt;
    private final TriedEndpoints tried = new TriedEndpoints();
    private final Admission admission;
    private final ForwardedRequest request = new ForwardedRequest();
    private final ReplayBuffer replay = new ReplayBuffer();
    private final RetryPolicy<EndpointState> policy;
    private final Retries retries;
    private final Hedging hedging;
    private final OutcomeReport outcome;
    private final ExchangeDeadlines deadlines;
    private final RequestRelay requestRelay;
    private final ResponseRelay responseRelay;
    private final LeftoverBody leftover;
    /** The request head as the downstream handed it over, admitted or not: pooled, so released at the end. */
    private HttpRequest received;

    private State state = State.DONE;
    /** The request's end went upstream; apart from the state, which is the response's. */
    private boolean requestComplete;
    /** The exchange holds a request slot of its cluster's circuit breaker. */
    private boolean breakerCounted;

    Exchange(ServerContext server, Downstream downstream, ExchangeLog exchangeLog, PickContext pickContext,
             UpstreamPool pool) {
        this(server, downstream, exchangeLog, pickContext, pool, System::nanoTime);
    }

    /** @param clock nanoTime for the exchange's deadlines and latencies; the connection's timer reads the same one */
    Exchange(ServerContext server, Downstream downstream, ExchangeLog exchangeLog, PickContext pickContext,
             UpstreamPool pool, LongSupplier clock) {
        this.server = server;
        this.stats = server.stats();
        this.meters = server.meters();
        this.downstream = downstream;
        this.exchangeLog = exchangeLog;
        this.clock = clock;
        this.admission = new Admission(server, exchangeLog, pickContext);
        this.attempt = new Attempt(this, server, pool);
        this.policy = new RetryPolicy<>(admission.retryTargets(tried), clock, pickContext.random());
        this.retries = new Retries(this, server, downstream, attempt, policy, tried, replay, request);
        this.hedging = new Hedging(server, pool, policy, tried, downstream, this, clock);
        this.outcome = new OutcomeReport(server, exchangeLog);
        this.deadlines = new ExchangeDeadlines(this, server, downstream, attempt, hedging, policy, retries, request,
                replay, outcome);
        this.requestRelay = new RequestRelay(server, downstream, exchangeLog, attempt, admission, request, replay);
        this.leftover = new LeftoverBody(stats);
        this.responseRelay = new ResponseRelay(server, downstream, exchangeLog, pool, clock, attempt, admission,
                request, tried, outcome, deadlines, leftover);
    }

    /** Where the rest of a body answered early goes, while its endpoint's connection takes it. */
    LeftoverBody leftover() {
        return leftover;
    }

    // ---- state -------------------------------------------------------------------------------------------------

    State state() {
        return state;
    }

    /** Whether a request is in progress: from its head until it is answered, failed or given up. */
    boolean inProgress() {
        return state != State.DONE;
    }

    /** Whether the response head went to the client: from now on a failure can only abort. */
    boolean responseStarted() {
        return state == State.STREAMING_RESPONSE;
    }

    /** Whether the whole request went upstream. */
    boolean requestComplete() {
        return requestComplete;
    }

    /** A try begins: it waits for its connection. */
    private void connecting() {
        state = State.CONNECTING;
    }

    /** A try failed: the next one waits for its backoff. */
    void backingOff() {
        state = State.BACKING_OFF;
    }

    /** The try has its connection: the request streams on it, or it went whole already (a retry replays it). */
    private void sending() {
        state = requestComplete ? State.AWAITING_RESPONSE : State.SENDING;
    }

    /** The request's end went upstream before any response: the try's answer is awaited. */
    private void requestSent() {
        if (state == State.SENDING) {
            state = State.AWAITING_RESPONSE;
        }
    }

    /** A response head went to the client. */
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
        return requestRelay.bodyBytesLeft();
    }

    /** Whether the request body has nowhere to go now: the upload backpressure. */
    boolean requestBodyBlocked() {
        return !requestComplete && requestRelay.blocked();
    }

    /** The client's read batch ended: what was written upstream goes out. */
    void flushUpstream() {
        requestRelay.flush();
    }

    /** The client can take more (or no more) of the response: the download backpressure. */
    void clientWritabilityChanged(boolean writable) {
        responseRelay.clientWritabilityChanged(writable);
    }

    /** A request head the downstream accepted: the exchange begins. */
    void start(HttpRequest req) {
        state = State.ROUTING;
        received = req;
        requestRelay.begin();
        exchangeLog.begin(req, downstream.clientIp(), clock.getAsLong());
        if (!admission.admit(req, downstream)) {
            replyLocally(admission.refusal(), admission.refusalReason(), admission.refusedForRoom());
            return;
        }
        breakerCounted = true;
        request.forward(req, admission, downstream, server.serverConfig().forwardedHeader());
        policy.begin(request.retries(), request.cluster().retryBudget(), request.idempotent());
        stats.proxied.increment();
        if (admission.continueExpected()) {
            downstream.sendContinue();
        }
        startTry(admission.first());
    }

    /** A piece of the request body, forwarded to the current try's upstream. */
    void requestContent(HttpContent content) {
        if (!requestRelay.withinLimit(content)) {
            ReferenceCountUtil.release(content);
            stats.bodyTooLarge.increment();
            // The try, which got part of the body, is abandoned and its connection closed.
            failBeforeResponse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body larger than the limit of " + admission.maxBodyBytes() + " bytes");
            return;
        }
        long now = clock.getAsLong();
        deadlines.activity(now);
        boolean last = content instanceof LastHttpContent;
        requestRelay.forward(content);
        if (last) {
            requestComplete = true;
            deadlines.requestComplete(now);
            if (!responseStarted()) {
                requestSent();
                deadlines.awaitHead();
            }
        }
    }

    /** Acts on the exchange's deadlines at {@code now}, read from the exchange's clock. */
    void timerFired(long now) {
        deadlines.timerFired(now);
    }

    // ---- tries -------------------------------------------------------------------------------------------------

    /** A try of the request goes to {@code target}. */
    void startTry(EndpointState target) {
        tried.add(target);
        connecting();
        attempt.start(target, request.cluster(), request.timeouts().connect());
        attempt.acquire(false);
    }

    @Override
    public boolean wantsConnection() {
        return inProgress() && !downstream.closing();
    }

    @Override
    public void connectionReady(UpstreamConnection c) {
        if (!attempt.attach(c)) {
            upstreamClosed("endpoint '" + attempt.endpoint().id() + "' closed the connection");
            return;
        }
        long now = clock.getAsLong();
        deadlines.activity(now);
        deadlines.armIdle();
        attempt.headSent(now);
        sending();
        requestRelay.sendOn(c);
        if (requestComplete && !responseStarted()) {
            deadlines.retrySent();
        }
        downstream.requestBodyWelcome();
    }

    @Override
    public void noConnection(HttpResponseStatus status, String reason, boolean forWantOfRoom) {
        fail(forWantOfRoom ? HttpResponseStatus.SERVICE_UNAVAILABLE : status, reason, forWantOfRoom);
    }

    @Override
    public void waitingForConnection() {
        deadlines.awaitConnection(clock.getAsLong());
    }

    @Override
    public void connectFailed(HttpResponseStatus status, String reason) {
        tryFailed(status, reason, false);
    }

    /**
     * One try failed before any response byte. Retries on another endpoint when that is safe and the budget
     * allows; otherwise the client gets {@code status} and {@code reason}.
     *
     * @param requestMayHaveArrived whether request bytes were written to the upstream (then only an idempotent
     *                              request whose body is kept whole may be sent again)
     */
    void tryFailed(HttpResponseStatus status, String reason, boolean requestMayHaveArrived) {
        attempt.discard();
        attempt.end();
        if (hedging.inFlight()) {
            // The hedge is already the next try; it fails through hedgeFailed or times out on the timer.
            downstream.timerBy(deadlines.hedgeTimeout());
            return;
        }
        EndpointState next = retries.target(requestMayHaveArrived);
        if (next == null && retries.verdict() == RetryPolicy.Verdict.MAX_RETRIES) {
            fail(HttpResponseStatus.SERVICE_UNAVAILABLE, Retries.maxRetriesReason(request.cluster(), reason), true);
            return;
        }
        if (next == null) {
            failBeforeResponse(status, reason);
            return;
        }
        retries.retryOn(next);
    }

    @Override
    public void upstreamClosed(String reason) {
        UpstreamConnection c = attempt.lost();
        if (c == null || !inProgress()) {
            return;
        }
        if (responseStarted()) {
            outcome.connectionBroke(c);
            outcome.settle(attempt.endpoint(), true);
            abortClient();
            return;
        }
        if (retries.resendAfterStaleClose(c)) {
            attempt.acquire(true);
            return;
        }
        outcome.connectionBroke(c);
        outcome.failedBeforeResponse(attempt.endpoint());
        tryFailed(HttpResponseStatus.BAD_GATEWAY,
                c.malformed() || c.answered() ? reason : reason + " before responding", true);
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        downstream.requestFlowChanged();
    }

    // ---- hedges ------------------------------------------------------------------------------------------------

    @Override
    public boolean awaitingHead() {
        return inProgress() && !responseStarted();
    }

    /** Whether the exchange's own try is under way: connected, connecting, or backing off before it starts. */
    @Override
    public boolean tryAlive() {
        return state == State.BACKING_OFF || attempt.alive();
    }

    @Override
    public void lastTryFailed(String reason) {
        tryFailed(HttpResponseStatus.BAD_GATEWAY, reason, true);
    }

    @Override
    public void hedgeWon(HedgeTry won, HttpResponse head) {
        attempt.lostTo(won, clock.getAsLong());
        responseHead(head);
    }

    // ---- the response ------------------------------------------------------------------------------------------

    @Override
    public void responseHead(HttpResponse response) {
        int code = response.status().code();
        if (request.tunnelsOn(code)) {
            switchToTunnel(response);
            return;
        }
        if (code < 200) {
            // Interim: Meridian answered any Expect itself; a 101 without an upgrade was refused upstream.
            ReferenceCountUtil.release(response);
            return;
        }
        long now = clock.getAsLong();
        deadlines.activity(now);
        hedging.cancel();
        long latency = now - attempt.headSentAt();
        outcome.headArrived(attempt.endpoint(), code, latency);
        meters.upstreamLatency(request.cluster(), latency);
        attempt.endpoint().latency().observe(latency, now);
        if (code == 503 && request.retriedOn503() && requestComplete) {
            EndpointState next = retries.target(true);
            if (next != null) {
                ReferenceCountUtil.release(response);
                retries.switchTo(next);
                return;
            }
        }
        streaming();
        responseRelay.head(response, now);
    }

    @Override
    public void responseContent(HttpContent content) {
        if (!responseStarted()) {
            ReferenceCountUtil.release(content);  // the end of an interim response
            return;
        }
        deadlines.activity(clock.getAsLong());
        responseRelay.body(content);
        if (content instanceof LastHttpContent) {
            responseEnded();
        }
    }

    @Override
    public void upstreamReadComplete() {
        responseRelay.upstreamReadComplete();
    }

    /**
     * The endpoint accepted the WebSocket handshake (101) or the CONNECT (2xx): the head goes to the client, the
     * exchange ends (logged with its status), and the connection becomes a tunnel that counts on the endpoint until
     * it closes.
     */
    private void switchToTunnel(HttpResponse response) {
        long now = clock.getAsLong();
        hedging.cancel();
        EndpointState endpoint = attempt.endpoint();
        responseRelay.tunnelHead(response, now);
        long idleNanos = admission.route().config().tunnels().idleTimeout().toNanos();
        long drainIdleNanos = request.timeouts().idle().toNanos();
        UpstreamConnection c = attempt.release();
        end();
        downstream.switchProtocols(response, c, endpoint, idleNanos, drainIdleNanos);
    }

    private void responseEnded() {
        UpstreamConnection c = attempt.release();
        if (c != null) {
            responseRelay.ended(c, requestComplete);
        }
        downstream.responseComplete(requestComplete);
        end();
        downstream.carryOn();
    }

    // ---- the end -----------------------------------------------------------------------------------------------

    /** The exchange fails: {@code status} and {@code reason} while nothing of the response went out, a close after. */
    void failBeforeResponse(HttpResponseStatus status, String reason) {
        fail(status, reason, false);
    }

    /** @param forWantOfRoom a limit refused the try: the reply tells the client to come back soon */
    private void fail(HttpResponseStatus status, String reason, boolean forWantOfRoom) {
        attempt.discard();
        if (responseStarted()) {
            abortClient();
            return;
        }
        replyLocally(status, reason, forWantOfRoom);
    }

    /**
     * Answers the current request from here; the request's body, if any is still to come, is skipped or closed.
     *
     * @param retryAfter whether the client is told to come back soon: refused for want of room, not for a fault
     */
    private void replyLocally(HttpResponseStatus status, String reason, boolean retryAfter) {
        int bytes = downstream.reply(status, reason, retryAfter, requestComplete);
        outcome.replied(admission.routeResponses(), status.code(), reason, bytes);
        end();
        downstream.carryOn();
    }

    /** Ends the client connection mid-exchange: nothing sensible can be sent on it any more. */
    void abortClient() {
        boolean midResponse = responseStarted();
        attempt.discard();
        end();
        downstream.abort(midResponse);
    }

    /** The client connection closed: whatever the exchange had under way is given up. */
    void connectionClosed() {
        leftover.drop();
        if (inProgress()) {
            attempt.discard();
            end();
        }
    }

    /** The exchange is over, however it went: reported, and everything it held given back. */
    private void end() {
        if (!inProgress()) {
            return;
        }
        state = State.DONE;
        outcome.ended(attempt.endpoint(), admission.cluster(), tried.count(), clock.getAsLong());
        outcome.settle(attempt.endpoint(), false);
        deadlines.clear();
        attempt.end();
        hedging.cancel();
        attempt.connectDone();
        if (breakerCounted) {
            breakerCounted = false;
            admission.cluster().breaker().requestEnded();
        }
        policy.end();
        replay.reset();
        tried.clear();
        downstream.exchangeEnded();
        ReferenceCountUtil.release(received);  // a pooled head goes back once nothing reads it
        received = null;
        request.clear();
        admission.clear();
        attempt.clear();
        retries.clear();
        responseRelay.clear();
        requestComplete = false;
    }
}
