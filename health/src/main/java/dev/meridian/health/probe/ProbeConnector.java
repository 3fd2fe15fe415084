package dev.meridian.health.probe;

import dev.meridian.routing.EndpointState;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens a probe's own connection on the endpoint's loop, with the check's timeout as the connect timeout, ties it to
 * the attempt (so the attempt's deadline closes it) and counts it while open.
 */
final class ProbeConnector {
    private final Class<? extends SocketChannel> channelClass;
    private final AtomicInteger openConnections;

    ProbeConnector(Class<? extends SocketChannel> channelClass, AtomicInteger openConnections) {
        this.channelClass = channelClass;
        this.openConnections = openConnections;
    }

    /**
     * @param autoRead whether the connection reads what the endpoint sends (a TCP check reads nothing)
     * @return the connect future, or null when the address is unresolved (the attempt has failed then)
     */
    ChannelFuture connect(EventLoop loop, EndpointState endpoint, CheckSettings settings, ProbeAttempt attempt,
                          ChannelHandler handler, boolean autoRead) {
        InetSocketAddress address = endpoint.address();
        if (address.isUnresolved()) {
            attempt.fail("unresolved address " + endpoint.config().authority());
            return null;
        }
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.timeoutMillis())
                .option(ChannelOption.AUTO_READ, autoRead)
                .handler(handler)
                .connect(address);
        openConnections.incrementAndGet();
        connect.channel().closeFuture().addListener(f -> openConnections.decrementAndGet());
        attempt.attach(connect.channel());
        return connect;
    }
}
