package dev.meridian.proxy.server;

import dev.meridian.config.ServerConfig;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Builds a client connection's pipeline in named steps. Never an aggregator: bodies stream.
 */
final class ListenerInitializer extends ChannelInitializer<SocketChannel> {
    static final String HTTP_CODEC = "http-codec";
    static final String PROXY = "proxy";
    /** Request body chunks up to 64 KiB: fewer writes for uploads, still one bounded read at a time. */
    private static final int MAX_CHUNK = 64 * 1024;

    private final ServerContext server;

    ListenerInitializer(ServerContext server) {
        this.server = server;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ServerConfig limits = server.serverConfig();
        ChannelPipeline p = ch.pipeline();
        p.addLast(HTTP_CODEC, new HttpServerCodec(new HttpDecoderConfig()
                // +2 for CRLF: the configured limit is on the request line itself
                .setMaxInitialLineLength(limits.maxRequestLineBytes() + 2)
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK)));
        p.addLast(PROXY, new ProxyHandler(server));
        server.clientChannels().add(ch);
        server.stats().downstreamConnections.increment();
    }
}
