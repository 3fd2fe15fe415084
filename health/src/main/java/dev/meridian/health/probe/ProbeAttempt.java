package dev.meridian.health.probe;

import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One probe in flight: its connection, its deadline, and the guarantee that it reports once. Confined to the event
 * loop it was created on; every method must be called there.
 */
final class ProbeAttempt {
    private final ProbeCallback callback;
    private final ScheduledFuture<?> deadline;
    private final String timeoutCause;
    private Channel channel;
    private boolean done;

    ProbeAttempt(EventLoop loop, CheckSettings settings, ProbeCallback callback) {
        this.callback = callback;
        this.timeoutCause = "timeout after " + formatNanos(settings.timeoutNanos());
        // One deadline for connect and response together: a blackholed endpoint accepts quickly and then stays silent.
        this.deadline = loop.schedule(() -> fail(timeoutCause), settings.timeoutNanos(), TimeUnit.NANOSECONDS);
    }

    void attach(Channel ch) {
        channel = ch;
        if (done) {
            ch.close();
        }
    }

    boolean isDone() {
        return done;
    }

    void pass(String cause) {
        finish(true, cause);
    }

    void fail(String cause) {
        finish(false, cause);
    }

    /** A connect or I/O failure, turned into a cause an operator reads. */
    void fail(Throwable cause) {
        finish(false, describe(cause));
    }

    /** Ends the attempt without reporting: the checker that asked for it is gone. */
    void abort() {
        if (done) {
            return;
        }
        done = true;
        release();
    }

    private void finish(boolean pass, String cause) {
        if (done) {
            return;
        }
        done = true;
        release();
        callback.completed(pass, cause);
    }

    private void release() {
        deadline.cancel(false);
        if (channel != null) {
            channel.close();
        }
    }

    String describe(Throwable t) {
        if (t instanceof ConnectTimeoutException) {
            return timeoutCause + " (connect)";
        }
        String message = t.getMessage() == null ? "" : t.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (t instanceof ConnectException) {
            return lower.contains("refused") ? "connect refused" : "connect failed: " + message;
        }
        if (t instanceof TooLongFrameException) {
            return "response over " + (HttpProbe.MAX_RESPONSE_BYTES / 1024) + " KiB";
        }
        if (t instanceof ClosedChannelException) {
            return "connection closed";
        }
        if (lower.contains("reset")) {
            return "connection reset";
        }
        return message.isEmpty() ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + message;
    }

    /** Whole milliseconds when they are exact, as operators write timeouts. */
    static String formatNanos(long nanos) {
        long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
        if (TimeUnit.MILLISECONDS.toNanos(ms) == nanos) {
            return ms + " ms";
        }
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }
}
