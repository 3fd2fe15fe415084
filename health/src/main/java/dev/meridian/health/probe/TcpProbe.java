package dev.meridian.health.probe;

import dev.meridian.routing.EndpointState;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;

/** Passes when a TCP connection is established within the timeout; the connection is closed at once. */
final class TcpProbe implements Probe {
    private final ProbeConnector connector;

    TcpProbe(ProbeConnector connector) {
        this.connector = connector;
    }

    @Override
    public ProbeAttempt start(EventLoop loop, EndpointState endpoint, CheckSettings settings, ProbeCallback callback) {
        ProbeAttempt attempt = new ProbeAttempt(loop, settings, callback);
        // Nothing is read: whatever the endpoint sends on connect must not be buffered for nobody.
        ChannelFuture connect = connector.connect(loop, endpoint, settings, attempt, new ChannelInboundHandlerAdapter(),
                false);
        if (connect != null) {
            connect.addListener(f -> {
                if (f.isSuccess()) {
                    attempt.pass("connected");
                } else {
                    attempt.fail(f.cause());
                }
            });
        }
        return attempt;
    }
}
