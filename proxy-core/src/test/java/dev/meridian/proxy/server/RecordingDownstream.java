package dev.meridian.proxy.server;

import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.routing.EndpointState;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A {@link Downstream} with no client behind it: it records what the exchange asks of it, and the exchange's state
 * each time it is called. Its one timer is a deadline on a clock that moves only when the test moves it
 * ({@link #advanceTo}), firing the exchange's timer on the way as a connection's would.
 */
final class RecordingDownstream implements Downstream {
    private static final long NO_TIMER = Long.MAX_VALUE;

    private final Channel channel;
    private final List<String> events = new ArrayList<>();
    private final List<Exchange.State> states = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();
    private Exchange exchange;
    private HttpResponse head;
    /** Every head handed over: pooled objects, released when the test is done reading them. */
    private final List<HttpResponse> heads = new ArrayList<>();
    private long now = 1_000_000_000L;
    private long timer = NO_TIMER;

    /** @param channel the client's channel: the event loop a retry's backoff waits on */
    RecordingDownstream(Channel channel) {
        this.channel = channel;
    }

    void serve(Exchange exchange) {
        this.exchange = exchange;
    }

    /** The connection's clock, in nanoseconds. */
    LongSupplier clock() {
        return () -> now;
    }

    long now() {
        return now;
    }

    /** What the exchange asked, in order: "welcome", "head 200", "body ...", "reply 504 ...", "complete", ... */
    List<String> events() {
        return events;
    }

    /** The states the exchange went through, each noted when a call found it in a state other than the last. */
    List<Exchange.State> states() {
        return states;
    }

    /** Gives back the heads handed over, as the connection's encoder does once it has written one. */
    void releaseHeads() {
        heads.forEach(ReferenceCountUtil::release);
        heads.clear();
    }

    HttpResponse head() {
        return head;
    }

    String body() {
        return body.toString();
    }

    /** Notes the exchange's state: the test calls this after each step it drives, the downstream on each call. */
    void sample() {
        Exchange.State state = exchange.state();
        if (states.isEmpty() || states.get(states.size() - 1) != state) {
            states.add(state);
        }
    }

    /**
     * Moves the clock to {@code time}, firing the timer at each deadline it passes on the way, as the connection's
     * timer would: late rather than early, and once per arming.
     */
    void advanceTo(long time) {
        while (timer != NO_TIMER && timer - time <= 0) {
            now = Math.max(now, timer);
            timer = NO_TIMER;
            if (exchange.inProgress()) {
                exchange.timerFired(now);
            }
            sample();
        }
        now = Math.max(now, time);
    }

    @Override
    public String clientIp() {
        sample();
        return "192.0.2.10";
    }

    @Override
    public ConnectionLocation location() {
        sample();
        return new ConnectionLocation(new byte[] {(byte) 192, 0, 2, 10});
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public boolean closing() {
        return !channel.isActive();
    }

    @Override
    public void requestFlowChanged() {
        sample();
    }

    /** As a connection does: what waited of the body would go on, and what was written upstream goes out. */
    @Override
    public void requestBodyWelcome() {
        sample();
        events.add("welcome");
        exchange.flushUpstream();
    }

    @Override
    public void sendContinue() {
        sample();
        events.add("continue");
    }

    @Override
    public void sendHead(HttpResponse response, boolean hasLength) {
        sample();
        head = response;
        heads.add(response);
        events.add("head " + response.status().code());
    }

    @Override
    public void sendBody(HttpContent piece) {
        sample();
        if (piece.content().isReadable()) {
            String text = piece.content().toString(StandardCharsets.ISO_8859_1);
            body.append(text);
            events.add("body " + text);
        }
        ReferenceCountUtil.release(piece);
    }

    @Override
    public void flush() {
        sample();
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public int reply(HttpResponseStatus status, String reason, boolean retryAfter, boolean requestComplete) {
        sample();
        events.add("reply " + status.code() + (retryAfter ? " (retry after)" : "") + ": " + reason);
        return reason.length();
    }

    @Override
    public void responseComplete(boolean requestComplete) {
        sample();
        events.add("complete");
    }

    @Override
    public void abort(boolean midResponse) {
        sample();
        events.add(midResponse ? "abort mid-response" : "abort");
    }

    @Override
    public void timerBy(long deadline) {
        sample();
        if (timer == NO_TIMER || deadline - timer < 0) {
            timer = deadline;
        }
    }

    @Override
    public void exchangeEnded() {
        sample();
        events.add("ended");
    }

    @Override
    public void switchProtocols(HttpResponse response, UpstreamConnection upstream, EndpointState endpoint,
                                long idleNanos, long drainIdleNanos) {
        sample();
        head = response;
        heads.add(response);
        events.add("switch " + response.status().code() + " to " + endpoint.id());
        upstream.channel().close();
    }

    @Override
    public void carryOn() {
        sample();
        events.add("carry on");
    }
}
