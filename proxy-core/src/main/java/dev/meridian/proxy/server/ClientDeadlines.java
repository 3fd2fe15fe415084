package dev.meridian.proxy.server;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A client connection's one timer, and what it does for the connection itself: the client's deadlines (a head due
 * within {@code request_header_timeout}, a body above the minimum rate, from {@link ClientPace}) and the keep-alive
 * timeout between exchanges. The exchange in progress has the timer fire by its own deadlines too, and is told when
 * the client's are not what fired. Event loop only.
 */
final class ClientDeadlines {
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    private final Http1Downstream connection;
    private final Exchange exchange;
    private final ClientPace pace;
    private final ResponseFraming framing;
    private final ProxyStats stats;
    private final EventExecutor executor;
    private final LongSupplier clock;
    private final long keepAliveNanos;
    private final Runnable onTimer = this::fired;

    /** The end of the last exchange (or the connection's start) while the connection idles. */
    private long idleSince;
    /** At most one pending timer per connection; it re-arms itself rather than being cancelled per request. */
    private ScheduledFuture<?> timer;
    private long timerDeadline = NO_DEADLINE;

    ClientDeadlines(Http1Downstream connection, Exchange exchange, ClientPace pace, ResponseFraming framing,
                    ServerContext server, EventExecutor executor, LongSupplier clock) {
        this.connection = connection;
        this.exchange = exchange;
        this.pace = pace;
        this.framing = framing;
        this.stats = server.stats();
        this.executor = executor;
        this.clock = clock;
        this.keepAliveNanos = server.serverConfig().keepAliveTimeout().toNanos();
    }

    /** How long a client gets to take the last of its response before a closing connection gives up on it. */
    long keepAliveNanos() {
        return keepAliveNanos;
    }

    /** The connection opened: its first head is due, and it idles until then. */
    void opened() {
        idleSince = clock.getAsLong();
        pace.opened(idleSince);
        timerBy(Math.min(idleSince + keepAliveNanos, pace.headDeadline()));
    }

    /** An exchange ended: the connection idles from now, and a head that began arriving meanwhile is now due. */
    void idle() {
        idleSince = clock.getAsLong();
        timerBy(idleSince + keepAliveNanos);
        arm();
    }

    /**
     * Makes sure the connection's timer fires no later than {@code deadline}. A pending timer that fires earlier is
     * kept: when it fires it finds the deadline moved on and re-arms. So a request costs no scheduling at all in the
     * common case, only a timeout shorter than the pending one does.
     */
    void timerBy(long deadline) {
        if (timer != null) {
            if (timerDeadline <= deadline) {
                return;
            }
            timer.cancel(false);
        }
        timerDeadline = deadline;
        timer = executor.schedule(onTimer, Math.max(0, deadline - clock.getAsLong()), TimeUnit.NANOSECONDS);
    }

    /**
     * Makes sure the timer fires by the client's deadlines: the body's first rate check, and between exchanges the
     * head's. Cheap enough for every read: comparisons, and a new schedule only when a deadline is the earliest.
     */
    void arm() {
        if (connection.closing()) {
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

    /** HTTP ended on the connection: nothing of it may fire any more. */
    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void fired() {
        timer = null;
        timerDeadline = NO_DEADLINE;
        if (connection.closing()) {
            return;
        }
        long now = clock.getAsLong();
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
        if (now - deadline < 0 || connection.requestsWaiting()) {
            timerBy(deadline);
            return;
        }
        connection.closeIdle();  // keep-alive idle timeout: nobody is waiting on this connection
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
        if (!exchange.inProgress() && !connection.requestsWaiting()) {
            long head = pace.headDeadline();
            if (head != NO_DEADLINE) {
                if (now - head >= 0) {
                    connection.requestHeadTimedOut();
                    return true;
                }
                timerBy(head);
            }
        }
        return false;
    }

    /** The body being received fell below the minimum rate: 408 while nothing of the response went out. */
    private void requestBodyTooSlow(long now) {
        stats.slowRequestBodies.increment();
        framing.bodyTooSlow();
        String reason = "request body arriving at " + pace.bodyRate(now) + " B/s, below the minimum of "
                + pace.minBodyRate() + " B/s";
        if (exchange.inProgress() && !exchange.responseStarted()) {
            exchange.failBeforeResponse(HttpResponseStatus.REQUEST_TIMEOUT, reason);  // closes: the body is unfinished
        } else {
            exchange.abortClient();
        }
    }
}
