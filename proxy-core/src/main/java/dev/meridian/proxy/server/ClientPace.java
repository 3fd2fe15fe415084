package dev.meridian.proxy.server;

import dev.meridian.config.ServerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import java.util.function.LongSupplier;

/**
 * How fast one client sends its requests: when the head being received is due (slowloris), and when the body being
 * received falls below the minimum rate. Sits before the HTTP decoder, so it sees every read, including the bytes of
 * a head the decoder has not finished; the proxy handler passes on each decoded message, and says when it stops and
 * resumes reading, since time the proxy spends not reading is never the client's fault.
 *
 * <p>Only keeps times; the proxy handler's one timer asks for the deadlines and acts on them. Event loop only.
 */
final class ClientPace extends ChannelInboundHandlerAdapter {
    private static final long NONE = Long.MAX_VALUE;
    private static final double NANOS_PER_SECOND = 1e9;
    /** A body deadline further out is checked again then: keeps the sums far from overflow. */
    private static final double MAX_WAIT_NANOS = 3600 * NANOS_PER_SECOND;
    /** Line ends alone do not start a head: the decoder skips them, and some clients send one after a body. */
    private static final ByteProcessor LINE_ENDS = b -> b == '\r' || b == '\n';

    private final long headTimeoutNanos;
    private final long minBodyRate;
    private final long graceNanos;
    private final LongSupplier clock;

    /** A head is awaited on a clock: the connection is new, or a byte of the next request arrived. */
    private boolean headTimed;
    /** Some of the awaited head arrived (rather than none since the connection opened). */
    private boolean headBytes;
    private long headStartedAt;
    /** The decoder is inside a message: between its head and its end. */
    private boolean inMessage;
    private long bodyStartedAt;
    private long bodyBytes;
    private boolean reading = true;
    private long pausedAt;

    /** @param clock the connection's time, as its deadlines are kept in */
    ClientPace(ServerConfig config, LongSupplier clock) {
        this.clock = clock;
        this.headTimeoutNanos = config.requestHeaderTimeout().toNanos();
        this.minBodyRate = config.minBodyRate();
        this.graceNanos = config.minBodyRateGrace().toNanos();
    }

    /** The connection's first head is due {@code request_header_timeout} after it opened. */
    void opened(long now) {
        headTimed = true;
        headBytes = false;
        headStartedAt = now;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Bytes after the end of a message begin the next one's head. Bytes read together with the end of a
        // message start the clock one read late, at the client's next read: a head cannot trickle in unseen.
        if (!inMessage && !headBytes && (!(msg instanceof ByteBuf buf) || buf.forEachByte(LINE_ENDS) >= 0)) {
            if (!headTimed) {
                headTimed = true;
                headStartedAt = clock.getAsLong();
            }
            headBytes = true;
        }
        ctx.fireChannelRead(msg);
    }

    /** Each message the decoder produced, in order, whether or not the proxy handler can handle it yet. */
    void decoded(HttpObject msg) {
        if (msg instanceof HttpRequest) {
            headTimed = false;
            headBytes = false;
            inMessage = true;
            bodyBytes = 0;
            bodyStartedAt = reading ? clock.getAsLong() : pausedAt;
        }
        if (msg instanceof HttpContent content) {
            bodyBytes += content.content().readableBytes();
            if (msg instanceof LastHttpContent) {
                inMessage = false;
            }
        }
    }

    /** The proxy handler stopped or resumed reading the client; the clocks stand still in between. */
    void reading(boolean on, long now) {
        if (on == reading) {
            return;
        }
        reading = on;
        if (!on) {
            pausedAt = now;
            return;
        }
        long paused = now - pausedAt;
        headStartedAt += paused;
        bodyStartedAt += paused;
    }

    /** When the awaited head is due; none while no head is awaited or reading is paused. */
    long headDeadline() {
        return headTimed && reading ? headStartedAt + headTimeoutNanos : NONE;
    }

    /** Bytes of a head arrived and it is not complete: the connection is not idle, whatever keep-alive says. */
    boolean headPartial() {
        return headTimed && headBytes;
    }

    long headTimeoutMillis() {
        return headTimeoutNanos / 1_000_000;
    }

    /**
     * The earliest the body being received could fall below the minimum rate: the end of the grace period. Cheap,
     * for arming the timer on every read; {@link #bodyDeadline} says exactly.
     */
    long bodyCheck() {
        return inMessage && reading && minBodyRate > 0 ? bodyStartedAt + graceNanos : NONE;
    }

    /**
     * When the body being received falls below the minimum rate if no more of it arrives: once the grace period has
     * passed, and once its average since the start drops under the rate. None when no body is being received, or
     * reading is paused.
     */
    long bodyDeadline() {
        if (bodyCheck() == NONE) {
            return NONE;
        }
        long needed = (long) Math.min(bodyBytes * NANOS_PER_SECOND / minBodyRate, MAX_WAIT_NANOS);
        return bodyStartedAt + Math.max(graceNanos, needed);
    }

    /** The body's average rate so far, in bytes per second: for the reason a person reads. */
    long bodyRate(long now) {
        long elapsed = Math.max(1, now - bodyStartedAt);
        return (long) (bodyBytes * NANOS_PER_SECOND / elapsed);
    }

    long minBodyRate() {
        return minBodyRate;
    }
}
