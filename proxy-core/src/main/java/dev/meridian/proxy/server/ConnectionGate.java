package dev.meridian.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * First in a client connection's pipeline: closes the connection as soon as it is accepted when it would be one
 * too many, in total or from its address. Before any byte is read, as Envoy closes on overflow: answering 503 would
 * mean reading and parsing a request for every refused connection, the very work the limit is there to shed.
 */
final class ConnectionGate extends ChannelInboundHandlerAdapter {
    private final ConnectionLimiter limiter;
    private final ProxyStats stats;
    /** The address this connection is counted under; null until admitted, and for a refused one. */
    private InetAddress counted;

    ConnectionGate(ConnectionLimiter limiter, ProxyStats stats) {
        this.limiter = limiter;
        this.stats = stats;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress client = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        switch (limiter.acquire(client)) {
            case ADMITTED -> {
                counted = client;
                ctx.fireChannelActive();
            }
            case OVER_TOTAL -> refuse(ctx, stats.connectionsOverLimit);
            case OVER_PER_CLIENT -> refuse(ctx, stats.connectionsOverClientLimit);
        }
    }

    private static void refuse(ChannelHandlerContext ctx, LongAdder counter) {
        counter.increment();
        // Not passed on: the rest of the pipeline never starts its timers for a connection that is not served.
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted != null) {
            limiter.release(counted);
            counted = null;
        }
        ctx.fireChannelInactive();
    }
}
