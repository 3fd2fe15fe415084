package dev.meridian.proxy.server;

import dev.meridian.config.ServerConfig;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * Builds a client connection's pipeline in named steps. Never an aggregator: bodies stream.
 */
final class ListenerInitializer extends ChannelInitializer<SocketChannel> {
    static final String CONNECTION_GATE = "connection-gate";
    static final String CLIENT_PACE = "client-pace";
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
        p.addLast(CONNECTION_GATE, new ConnectionGate(server.connectionLimiter(), server.stats()));
        ClientPace pace = new ClientPace(limits);
        p.addLast(CLIENT_PACE, pace);
        p.addLast(HTTP_CODEC, new ServerCodec(new HttpDecoderConfig()
                // Netty counts the line without its CRLF, as the limit is written
                .setMaxInitialLineLength(limits.maxRequestLineBytes())
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK)
                // Netty's strict framing (RFC 9112 §2.2, §6), set here so no JVM property can loosen it.
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false)
                .setValidateHeaders(true)));
        p.addLast(PROXY, new ProxyHandler(server, pace));
        server.clientChannels().add(ch);
        server.stats().downstreamConnections.increment();
    }
}
