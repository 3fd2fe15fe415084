package dev.meridian.health.probe;

import dev.meridian.routing.EndpointState;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/** Passes when a TCP connection is established within the timeout; the connection is closed at once. */
final class TcpProbe implements Probe {
    private final Class<? extends SocketChannel> channelClass;
    private final AtomicInteger openConnections;

    TcpProbe(Class<? extends SocketChannel> channelClass, AtomicInteger openConnections) {
        this.channelClass = channelClass;
        this.openConnections = openConnections;
    }

    @Override
    public ProbeAttempt start(EventLoop loop, EndpointState endpoint, CheckSettings settings, ProbeCallback callback) {
        ProbeAttempt attempt = new ProbeAttempt(loop, settings, callback);
        InetSocketAddress address = endpoint.address();
        if (address.isUnresolved()) {
            attempt.fail("unresolved address " + endpoint.config().authority());
            return attempt;
        }
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.timeoutMillis())
                // Nothing is read: whatever the endpoint sends on connect must not be buffered for nobody.
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(address);
        openConnections.incrementAndGet();
        connect.channel().closeFuture().addListener(f -> openConnections.decrementAndGet());
        attempt.attach(connect.channel());
        connect.addListener(f -> {
            if (f.isSuccess()) {
                attempt.pass("connected");
            } else {
                attempt.fail(f.cause());
            }
        });
        return attempt;
    }
}
