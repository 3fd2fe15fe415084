package dev.meridian.proxy.server;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Queue;

/**
 * The rest of a request body nobody wants any more, because its exchange was answered first (an early 401, a cache
 * hit for a POST): rather than close a keep-alive connection, the rest is read, up to what the body may still carry
 * within its limit, and the connection's next request is read once it has ended. What is read goes on to the
 * endpoint that answered while its connection takes it ({@link LeftoverBody}), and is dropped otherwise. Event loop
 * only.
 */
final class RequestBodyDiscard {
    private final LeftoverBody leftover;
    private boolean active;
    /** Body bytes dropped since the exchange they belonged to was answered, and how many may be. */
    private long dropped;
    private long limit;

    /** @param leftover where the rest goes first, while the endpoint that answered takes it */
    RequestBodyDiscard(LeftoverBody leftover) {
        this.leftover = leftover;
    }

    /** Whether the body being read goes nowhere: its pieces go to {@link #drop}, the next request waits for its end. */
    boolean active() {
        return active;
    }

    /**
     * The rest of {@code request}'s body goes nowhere, {@code bytesLeft} of it at most: what is queued of it in
     * {@code pending} goes now, what is still to come as it arrives.
     */
    void discardRest(Queue<HttpObject> pending, HttpRequest request, long bytesLeft) {
        if (!skipRest(pending, request)) {
            active = true;
            dropped = 0;
            limit = bytesLeft;
        }
    }

    /**
     * Drops the rest of {@code request}'s body when that is cheap: already queued in {@code pending}, or known to be
     * empty.
     *
     * @return whether the connection can carry on with the next request
     */
    boolean skipRest(Queue<HttpObject> pending, HttpRequest request) {
        while (!pending.isEmpty() && pending.peek() instanceof HttpContent) {
            HttpObject obj = pending.poll();
            boolean last = obj instanceof LastHttpContent;
            if (!leftover.forward((HttpContent) obj)) {
                ReferenceCountUtil.release(obj);
            }
            if (last) {
                return true;
            }
        }
        if (!HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0L) {
            active = true;  // only the (empty) end of the request is still to come
            dropped = 0;
            limit = 0;
            return true;
        }
        return false;
    }

    /**
     * Drops a piece of the body being discarded, which this takes over.
     *
     * @return false when the body went on past its limit: answered already, it is dropped with its connection
     */
    boolean drop(HttpContent piece) {
        boolean last = piece instanceof LastHttpContent;
        dropped += piece.content().readableBytes();
        if (dropped > limit && !last) {
            ReferenceCountUtil.release(piece);
            leftover.drop();  // cut off here: the endpoint must not take a truncated body for a whole one
            return false;
        }
        if (!leftover.forward(piece)) {
            ReferenceCountUtil.release(piece);
        }
        if (last) {
            active = false;
        }
        return true;
    }
}
