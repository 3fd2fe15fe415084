package dev.meridian.health.probe;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A health endpoint on 127.0.0.1 whose answer a test switches: a status and body, or silence (accepts, reads, never
 * answers). It can be stopped and started again on the same port, like a restarted process. Records what it got.
 */
final class ProbeBackend implements AutoCloseable {
    /** One received request, as the checker sent it. */
    record Received(String method, String uri, HttpHeaders headers, long atNanos) {
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private volatile int status = 200;
    private volatile String body = "ok";
    private volatile boolean hang;
    private volatile Runnable onRequest = () -> { };
    private volatile Channel server;
    private int port;

    static ProbeBackend start() {
        ProbeBackend b = new ProbeBackend();
        b.bind(0);
        return b;
    }

    int port() {
        return port;
    }

    ProbeBackend answer(int newStatus, String newBody) {
        status = newStatus;
        body = newBody;
        hang = false;
        return this;
    }

    /** Accept and read, never answer: a blackholed endpoint. */
    ProbeBackend hang() {
        hang = true;
        return this;
    }

    /** Runs on the backend's loop as each request arrives. */
    ProbeBackend onRequest(Runnable hook) {
        onRequest = hook;
        return this;
    }

    /** Closes the listening socket and every connection: connects are refused until {@link #restart}. */
    void stop() {
        server.close().syncUninterruptibly();
        children.close().syncUninterruptibly();
    }

    /** Listens again on the same port (SO_REUSEADDR, so closed connections in TIME_WAIT do not block it). */
    void restart() {
        bind(port);
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    int requests() {
        return received.size();
    }

    int accepted() {
        return accepted.get();
    }

    int openConnections() {
        return open.get();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        children.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void bind(int wantedPort) {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.incrementAndGet();
                        open.incrementAndGet();
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        children.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new Handler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", wantedPort))
                .syncUninterruptibly()
                .channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            received.add(new Received(request.method().name(), request.uri(), request.headers().copy(),
                    System.nanoTime()));
            onRequest.run();
            if (hang) {
                return;
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(status), Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
