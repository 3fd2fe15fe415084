package dev.meridian.proxy.server;

import dev.meridian.config.ServerConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import java.util.function.LongSupplier;

/**
 * Builds a client connection's pipeline in named steps. Never an aggregator: bodies stream.
 */
final class ListenerInitializer extends ChannelInitializer<SocketChannel> {
    static final String CONNECTION_GATE = "connection-gate";
    static final String CLIENT_PACE = "client-pace";
    static final String HTTP_CODEC = "http-codec";
    static final String PROXY = "proxy";

    private final ServerContext server;

    ListenerInitializer(ServerContext server) {
        this.server = server;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        addHandlers(ch, server, System::nanoTime);
    }

    /**
     * Builds the pipeline of a client connection {@code ch}, whose deadlines are kept by {@code clock}: the time of
     * its exchanges, {@code System::nanoTime}, except on a test's channel whose time the test drives.
     */
    static void addHandlers(Channel ch, ServerContext server, LongSupplier clock) {
        ServerConfig limits = server.serverConfig();
        ChannelPipeline p = ch.pipeline();
        p.addLast(CONNECTION_GATE, new ConnectionGate(server.connectionLimiter(), server.stats()));
        ClientPace pace = new ClientPace(limits, clock);
        p.addLast(CLIENT_PACE, pace);
        ServerCodec codec = new ServerCodec(limits.maxRequestLineBytes(), limits.maxHeaderBytes());
        p.addLast(HTTP_CODEC, codec);
        p.addLast(PROXY, new Http1Downstream(server, pace, codec, clock));
        server.clientChannels().add(ch);
        server.stats().downstreamConnections.increment();
    }
}
