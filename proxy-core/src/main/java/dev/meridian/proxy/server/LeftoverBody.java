package dev.meridian.proxy.server;

import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.proxy.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The rest of a request body whose endpoint answered before it had all arrived (an early 401, a cache hit for a
 * POST): it goes on to that endpoint, which may well be reading it, for as long as the connection takes it as it
 * comes; once the connection is gone, full or answering again, the rest is the downstream's to drop.
 *
 * <p>The connection is closed after the body's end, never pooled. An endpoint that answered without reading the
 * body may take the body for its next request (the early-response or CL.0 desync): a pooled connection would then
 * give that request's answer to some other client's request.
 *
 * <p>One per client connection; confined to its event loop.
 */
final class LeftoverBody implements UpstreamListener {
    private final ProxyStats stats;
    private UpstreamConnection upstream;

    LeftoverBody(ProxyStats stats) {
        this.stats = stats;
    }

    /**
     * Takes over {@code c}, whose response ended whole before the request did, to carry the rest of the body.
     *
     * @return false when {@code c} cannot take it (closed or full): the caller closes it
     */
    boolean take(UpstreamConnection c) {
        if (!c.channel().isWritable() || !c.lease(this)) {
            return false;
        }
        upstream = c;
        stats.leftoverBodiesForwarded.increment();
        return true;
    }

    /**
     * A piece of the rest of the body, which this takes over.
     *
     * @return false when it went nowhere: the caller still owns it and drops it
     */
    boolean forward(HttpContent piece) {
        UpstreamConnection c = upstream;
        if (c == null) {
            return false;
        }
        Channel ch = c.channel();
        if (!ch.isActive() || !ch.isWritable()) {
            // Full: holding the client back for an endpoint that already answered would only slow the next request.
            drop();
            return false;
        }
        if (piece instanceof LastHttpContent) {
            upstream = null;
            c.detach();
            ch.writeAndFlush(piece).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.writeAndFlush(piece, ch.voidPromise());
        }
        return true;
    }

    /** The client's side ended first (gone, or past the body's limit): the endpoint gets no more of the body. */
    void drop() {
        UpstreamConnection c = upstream;
        if (c != null) {
            upstream = null;
            c.detach();
            c.channel().close();
        }
    }

    @Override
    public void onResponseHead(HttpResponse response) {
        // A second response to one request: the framing is lost, whatever it answers.
        ReferenceCountUtil.release(response);
        drop();
    }

    @Override
    public void onResponseContent(HttpContent content) {
        content.release();
        drop();
    }

    @Override
    public void onUpstreamReadComplete() {
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
    }

    @Override
    public void onUpstreamClosed(String reason) {
        upstream = null;
    }
}
