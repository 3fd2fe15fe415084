package dev.meridian.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection whose request was not read to its end (answered early: the upstream failed mid-upload,
 * or answered before the body was in) without losing the answer. Closing with unread bytes in the socket makes the
 * kernel send a reset, and a client still writing its body then sees "connection reset" instead of the response
 * (RFC 9112 §9.6). So: read and drop whatever the client still sends, half-close once the response is written,
 * and close when the client does, or {@link #LINGER} after the response at the latest.
 */
final class LingeringClose {
    /** Long enough for a client to finish sending what is in flight and read the answer; short enough to cost
     * little when it does not stop. nginx lingers 5 s per read, 30 s in all. */
    static final Duration LINGER = Duration.ofSeconds(5);

    private LingeringClose() {
    }

    /**
     * Half-closes once {@code written} (the last write of the response) completes, or closes if it failed; closes
     * {@link #LINGER} from now in any case, so a client that neither reads nor closes cannot hold the connection.
     */
    static void after(ChannelFuture written) {
        Channel ch = written.channel();
        // The caller drops whatever it reads from now on. Reading at once, not after the write: a client blocked
        // sending its body may read nothing until it can send.
        ch.config().setAutoRead(true);
        ch.eventLoop().schedule(() -> {
            ch.close();
        }, LINGER.toNanos(), TimeUnit.NANOSECONDS);
        written.addListener((ChannelFuture f) -> {
            if (!f.isSuccess() || !ch.isActive() || !(ch instanceof DuplexChannel duplex)) {
                ch.close();
                return;
            }
            duplex.shutdownOutput();
        });
    }

    /**
     * Closes once {@code written} (the last write of the response) completes, or {@code bound} from now if it has
     * not: a client that stops reading just as its last response is written would otherwise hold the connection
     * for ever, as nothing else watches a connection that is closing.
     */
    static void closeWhenWritten(ChannelFuture written, Duration bound) {
        Channel ch = written.channel();
        written.addListener((ChannelFuture f) -> ch.close());
        if (!written.isDone()) {
            ch.eventLoop().schedule(() -> {
                ch.close();
            }, bound.toNanos(), TimeUnit.NANOSECONDS);
        }
    }
}
