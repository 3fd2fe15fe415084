package dev.meridian.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * A scriptable HTTP/1.1 backend on 127.0.0.1:0 that records what it received. The path chooses the behaviour:
 * <ul>
 *   <li>{@code /download/N}: N bytes of a fixed pattern, streamed with backpressure, with Content-Length;</li>
 *   <li>{@code /chunked/N}: N chunks of "chunk-i;" with chunked encoding;</li>
 *   <li>{@code /hang}: never answers;</li>
 *   <li>{@code /delay/MS}: answers after MS milliseconds;</li>
 *   <li>{@code /truncate}: promises 1000 bytes, sends 10 and closes;</li>
 *   <li>{@code /stall}: promises 1000 bytes, sends 10 and then nothing, keeping the connection open;</li>
 *   <li>{@code /close}: closes the connection without answering;</li>
 *   <li>anything else: 200 with {@code name method uri bytes=N crc=C} after the whole request body arrived.</li>
 * </ul>
 * Every response carries {@code x-backend: name}. Bodies are counted and checksummed, never stored.
 */
public final class TestBackend implements AutoCloseable {
    /** A failure this backend shows for every request, whatever its path. */
    public enum Fault {
        NONE,
        /** Closes the connection once the request arrived, without a response. */
        CLOSE,
        /** Answers 503. */
        UNAVAILABLE,
        /** Never answers. */
        HANG,
        /** Answers, one second late. */
        SLOW,
        /** Answers 150 ms late: slow enough for a latency detector, fast enough for a client. */
        LAGGY,
        /** Resets the connection (TCP RST) as soon as a request head arrives: mid-upload when a body follows. */
        RESET,
        /** Sends the response head and part of its body, then resets the connection (TCP RST). */
        RESET_MID_RESPONSE,
        /** Stops reading a connection once a request head arrives, and never answers: a body backs up. */
        FREEZE
    }

    /** One received request: its head and what its body added up to. */
    public record Received(String method, String uri, HttpHeaders headers, long bodyBytes, long crc) {
    }

    private final String name;
    private final EventLoopGroup group;
    private final Channel server;
    private final AtomicInteger connectionsAccepted = new AtomicInteger();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Fault fault = Fault.NONE;

    private TestBackend(String name, int port) throws InterruptedException {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                // A restart on the same port must not wait for the old connections' TIME_WAIT.
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connectionsAccepted.incrementAndGet();
                        openConnections.incrementAndGet();
                        ch.closeFuture().addListener(f -> openConnections.decrementAndGet());
                        children.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
    }

    public static TestBackend start(String name) throws InterruptedException {
        return new TestBackend(name, 0);
    }

    /** A backend on a given port: a killed one {@link #close closed} and started again where it was. */
    public static TestBackend start(String name, int port) throws InterruptedException {
        return new TestBackend(name, port);
    }

    public String name() {
        return name;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public TestBackend fault(Fault newFault) {
        fault = newFault;
        if (newFault != Fault.FREEZE) {
            // Recovered: frozen connections read again, so they see the proxy's closes (or finish their body).
            children.forEach(ch -> ch.config().setAutoRead(true));
        }
        return this;
    }

    public int connectionsAccepted() {
        return connectionsAccepted.get();
    }

    public int openConnections() {
        return openConnections.get();
    }

    public List<Received> received() {
        return received;
    }

    public Received lastReceived() {
        return received.isEmpty() ? null : received.get(received.size() - 1);
    }

    @Override
    public void close() {
        if (group.isShuttingDown()) {
            return;  // tests kill backends on purpose, then clean up all of them
        }
        server.close().syncUninterruptibly();
        // As a killed process's kernel would: every connection ends, none is left open and silent. Shutting the
        // loop down is not enough: with no quiet period, Netty 4.2 may end the loop without closing its channels.
        children.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private HttpRequest request;
        private long bodyBytes;
        private final CRC32 crc = new CRC32();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest) {
                    request = (HttpRequest) msg;
                    bodyBytes = 0;
                    crc.reset();
                    if ("/close".equals(request.uri())) {
                        ctx.close();
                        return;
                    }
                    if (fault == Fault.FREEZE) {
                        // Its connections stay frozen after the fault ends: the proxy must give up on them.
                        ctx.channel().config().setAutoRead(false);
                        received.add(new Received(request.method().name(), request.uri(),
                                new DefaultHttpHeaders().add(request.headers()), 0, 0));
                        request = null;
                        return;
                    }
                    if (fault == Fault.RESET) {
                        received.add(new Received(request.method().name(), request.uri(),
                                new DefaultHttpHeaders().add(request.headers()), 0, 0));
                        request = null;
                        reset(ctx);
                        return;
                    }
                }
                if (msg instanceof HttpContent && request != null) {
                    ByteBuf content = ((HttpContent) msg).content();
                    bodyBytes += content.readableBytes();
                    crc.update(content.nioBuffer());
                    if (msg instanceof LastHttpContent) {
                        HttpRequest req = request;
                        request = null;
                        received.add(new Received(req.method().name(), req.uri(),
                                new DefaultHttpHeaders().add(req.headers()), bodyBytes, crc.getValue()));
                        respond(ctx, req);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest req) {
            String uri = req.uri();
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            switch (fault) {
                case CLOSE -> {
                    ctx.close();
                    return;
                }
                case HANG -> {
                    return;
                }
                case RESET_MID_RESPONSE -> {
                    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    head.headers().set("x-backend", name).set(HttpHeaderNames.CONTENT_LENGTH, 1000);
                    ctx.write(head);
                    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("0123456789",
                            StandardCharsets.US_ASCII))).addListener(f -> reset(ctx));
                    return;
                }
                case LAGGY -> {
                    ctx.executor().schedule(() -> sendSummary(ctx, req, keepAlive), 150, TimeUnit.MILLISECONDS);
                    return;
                }
                case SLOW -> {
                    ctx.executor().schedule(() -> sendSummary(ctx, req, keepAlive), 1, TimeUnit.SECONDS);
                    return;
                }
                case UNAVAILABLE -> {
                    FullHttpResponse unavailable = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.copiedBuffer(name + " unavailable",
                            StandardCharsets.UTF_8));
                    unavailable.headers().set("x-backend", name).setInt(HttpHeaderNames.CONTENT_LENGTH,
                            unavailable.content().readableBytes());
                    finish(ctx.writeAndFlush(unavailable), keepAlive);
                    return;
                }
                default -> {
                }
            }
            if (uri.startsWith("/download/")) {
                long size = Long.parseLong(uri.substring("/download/".length()));
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set("x-backend", name).set(HttpHeaderNames.CONTENT_LENGTH, size);
                ctx.write(head);
                new Streamer(ctx, size, keepAlive).run();
            } else if (uri.startsWith("/chunked/")) {
                int chunks = Integer.parseInt(uri.substring("/chunked/".length()));
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setTransferEncodingChunked(head, true);
                head.headers().set("x-backend", name);
                ctx.write(head);
                for (int i = 0; i < chunks; i++) {
                    ctx.write(new DefaultHttpContent(
                            Unpooled.copiedBuffer("chunk-" + i + ";", StandardCharsets.US_ASCII)));
                }
                finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
            } else if ("/hang".equals(uri)) {
                return;
            } else if (uri.startsWith("/delay/")) {
                long millis = Long.parseLong(uri.substring("/delay/".length()));
                ctx.executor().schedule(() -> sendSummary(ctx, req, keepAlive), millis, TimeUnit.MILLISECONDS);
            } else if ("/stall".equals(uri)) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set("x-backend", name).set(HttpHeaderNames.CONTENT_LENGTH, 1000);
                ctx.write(head);
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("0123456789",
                        StandardCharsets.US_ASCII)));
            } else if ("/truncate".equals(uri)) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set("x-backend", name).set(HttpHeaderNames.CONTENT_LENGTH, 1000);
                ctx.write(head);
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("0123456789",
                        StandardCharsets.US_ASCII))).addListener(ChannelFutureListener.CLOSE);
            } else {
                sendSummary(ctx, req, keepAlive);
            }
        }

        /** Closes with SO_LINGER 0, so the kernel sends RST rather than FIN: a crashed or reset peer. */
        private void reset(ChannelHandlerContext ctx) {
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            ctx.close();
        }

        private void sendSummary(ChannelHandlerContext ctx, HttpRequest req, boolean keepAlive) {
            String text = name + " " + req.method() + " " + req.uri() + " bytes=" + bodyBytesOf(req) + " crc="
                    + crcOf(req);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            response.headers().set("x-backend", name)
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            finish(ctx.writeAndFlush(response), keepAlive);
        }

        private long bodyBytesOf(HttpRequest req) {
            Received r = lastFor(req);
            return r == null ? 0 : r.bodyBytes();
        }

        private long crcOf(HttpRequest req) {
            Received r = lastFor(req);
            return r == null ? 0 : r.crc();
        }

        private Received lastFor(HttpRequest req) {
            for (int i = received.size() - 1; i >= 0; i--) {
                Received r = received.get(i);
                if (r.uri().equals(req.uri()) && r.method().equals(req.method().name())) {
                    return r;
                }
            }
            return null;
        }

        private void finish(io.netty.channel.ChannelFuture f, boolean keepAlive) {
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** Writes a generated body in 16 KiB pieces, only while the channel is writable. */
    private static final class Streamer implements Runnable {
        private static final int PIECE = 64 * 1024;
        /** The pattern from every phase 0..25 onwards: one bulk copy per piece, not a call per byte. */
        private static final byte[] PATTERN = new byte[PIECE + 26];

        static {
            for (int i = 0; i < PATTERN.length; i++) {
                PATTERN[i] = pattern(i);
            }
        }

        private final ChannelHandlerContext ctx;
        private final boolean keepAlive;
        private final long size;
        private long remaining;

        Streamer(ChannelHandlerContext ctx, long size, boolean keepAlive) {
            this.ctx = ctx;
            this.size = size;
            this.remaining = size;
            this.keepAlive = keepAlive;
        }

        @Override
        public void run() {
            while (remaining > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(PIECE, remaining);
                ByteBuf piece = ctx.alloc().buffer(n);
                piece.writeBytes(PATTERN, (int) ((size - remaining) % 26), n);
                remaining -= n;
                ctx.write(new DefaultHttpContent(piece));
            }
            if (remaining == 0) {
                io.netty.channel.ChannelFuture f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                if (!keepAlive) {
                    f.addListener(ChannelFutureListener.CLOSE);
                }
                return;
            }
            ctx.flush();
            if (!ctx.channel().isActive()) {
                return;
            }
            if (ctx.channel().isWritable()) {
                ctx.executor().execute(this);
                return;
            }
            // Resume once the socket drained: this is what keeps the backend's own memory bounded.
            ctx.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelWritabilityChanged(ChannelHandlerContext c) {
                    if (c.channel().isWritable()) {
                        c.pipeline().remove(this);
                        Streamer.this.run();
                    }
                }
            });
        }
    }

    /** The byte at offset i of every downloaded body: tests check what arrived. */
    public static byte pattern(long i) {
        return (byte) ('a' + (i % 26));
    }
}
