package dev.meridian.proxy.server;

import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.EndpointStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bytes both ways, untouched, between a client connection and an upstream connection once HTTP has ended on them
 * (after a {@code 101 Switching Protocols}, or a 2xx to an allowed CONNECT). Either side closing closes the other,
 * after what was read from it has been written on. The tunnel counts as a request in flight on its endpoint for as
 * long as it lives, has its own idle timeout, and is closed when its endpoint is ejected or set to maintenance, or
 * is draining and the tunnel has been idle for the route's idle timeout (a WebSocket that never goes quiet keeps
 * its place while its endpoint drains, as in-flight requests do).
 *
 * <p>Both connections are on the same event loop (upstream pools are per loop), so the tunnel's state needs no
 * synchronisation. Backpressure: a side stops reading while the other cannot take more.
 */
final class Tunnel {
    /** How often the tunnel looks at its idle time and its endpoint's status. */
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final String RELAY = "tunnel";

    private final Channel client;
    private final Channel upstream;
    private final EndpointState endpoint;
    private final long idleNanos;
    private final long drainIdleNanos;
    private long lastActivity = System.nanoTime();
    private ScheduledFuture<?> check;
    private boolean closed;

    private Tunnel(Channel client, Channel upstream, EndpointState endpoint, long idleNanos, long drainIdleNanos) {
        this.client = client;
        this.upstream = upstream;
        this.endpoint = endpoint;
        this.idleNanos = idleNanos;
        this.drainIdleNanos = drainIdleNanos;
    }

    /**
     * Joins the client's channel and the upstream connection, whose HTTP handlers go: whatever they held unread is
     * passed on to the relays installed here, so no byte that arrived behind the last HTTP message is lost. The
     * caller removes the client side's HTTP handlers after this returns.
     *
     * @param idleNanos      the tunnel's own idle timeout: no byte either way for this long closes it
     * @param drainIdleNanos how long the tunnel may be idle while its endpoint drains (the route's idle timeout)
     */
    static void open(Channel client, UpstreamConnection upstream, EndpointState endpoint, long idleNanos,
                       long drainIdleNanos) {
        Tunnel t = new Tunnel(client, upstream.channel(), endpoint, idleNanos, drainIdleNanos);
        endpoint.requestStarted();
        client.pipeline().addLast(RELAY, t.new Relay(upstream.channel()));
        upstream.handOver(RELAY, t.new Relay(client));
        client.config().setAutoRead(true);
        upstream.channel().config().setAutoRead(true);
        t.check = client.eventLoop().scheduleAtFixedRate(t::checkOnce, CHECK_NANOS, CHECK_NANOS,
                TimeUnit.NANOSECONDS);
    }

    private void checkOnce() {
        long idle = System.nanoTime() - lastActivity;
        EndpointStatus status = endpoint.status();
        if (idle >= idleNanos || status == EndpointStatus.EJECTED || status == EndpointStatus.MAINTENANCE
                || (status == EndpointStatus.DRAINING && idle >= drainIdleNanos)) {
            close();
        }
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        check.cancel(false);
        endpoint.requestEnded();
        // Written before closing: a side that said its last word has it delivered, then sees the close.
        closeAfterFlush(client);
        closeAfterFlush(upstream);
    }

    private static void closeAfterFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    /** One direction: what this side reads goes to {@code peer}. */
    private final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Relay(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf) || closed) {
                ReferenceCountUtil.release(msg);
                return;
            }
            lastActivity = System.nanoTime();
            peer.write(msg, peer.voidPromise());
            if (!peer.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // The peer's bytes are written to this side: the peer reads only while this side can take them.
            peer.config().setAutoRead(ctx.channel().isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            close();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            close();
        }
    }
}
