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
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on 127.0.0.1:0 that answers with scripted bytes rather than an HTTP library's well-formed responses:
 * invalid status lines and headers, conflicting framing, bodies longer or shorter than they say, writes split
 * anywhere, pauses the test ends by completing a gate, trickles, closes and resets (RST via SO_LINGER 0).
 *
 * <p>It reads each request head (and a Content-Length or chunked body) off the socket, then plays the script
 * registered for the request's path; an unknown path gets a small well-formed 200 whose body is the path. Requests
 * on one connection are answered in turn, each after the previous script ended with the connection still open.
 */
public final class EvilBackend implements AutoCloseable {

    /** What the backend does for one request: steps played in order on the connection's event loop. */
    public static final class Script {
        private final List<Step> steps = new ArrayList<>();

        private Script() {
        }

        /** A script that writes {@code raw} (ISO-8859-1, so one char is one byte) and keeps the connection. */
        public static Script respond(String raw) {
            return new Script().send(raw);
        }

        public static Script empty() {
            return new Script();
        }

        public Script send(String raw) {
            return send(raw.getBytes(StandardCharsets.ISO_8859_1));
        }

        /** Writes and flushes; the next step starts once the bytes are on the socket. */
        public Script send(byte[] raw) {
            steps.add(new Send(raw));
            return this;
        }

        /** Waits, with the connection open, until the test completes {@code gate}. */
        public Script await(CompletableFuture<?> gate) {
            steps.add(new Await(gate));
            return this;
        }

        /** Writes {@code raw} one byte at a time, one byte per {@code every}. */
        public Script trickle(String raw, Duration every) {
            steps.add(new Trickle(raw.getBytes(StandardCharsets.ISO_8859_1), every.toNanos()));
            return this;
        }

        /** Writes {@code raw} in {@code pieces} equal parts, one part per {@code every}. */
        public Script paced(String raw, int pieces, Duration every) {
            byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
            steps.add(new Paced(bytes, pieces, every.toNanos()));
            return this;
        }

        /** Closes the connection cleanly (FIN). */
        public Script close() {
            steps.add(Close.FIN);
            return this;
        }

        /** Closes the connection with a reset (RST): SO_LINGER 0, then close. */
        public Script reset() {
            steps.add(Close.RST);
            return this;
        }
    }

    private sealed interface Step permits Send, Await, Trickle, Paced, Close {
    }

    private record Send(byte[] bytes) implements Step {
    }

    private record Await(CompletableFuture<?> gate) implements Step {
    }

    private record Trickle(byte[] bytes, long everyNanos) implements Step {
    }

    private record Paced(byte[] bytes, int pieces, long everyNanos) implements Step {
    }

    private enum Close implements Step { FIN, RST }

    private final String name;
    private final EventLoopGroup group;
    private final Channel server;
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final AtomicInteger connectionsAccepted = new AtomicInteger();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    private EvilBackend(String name) throws InterruptedException {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connectionsAccepted.incrementAndGet();
                        openConnections.incrementAndGet();
                        ch.closeFuture().addListener(f -> openConnections.decrementAndGet());
                        children.add(ch);
                        ch.pipeline().addLast(new Connection());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    public static EvilBackend start(String name) throws InterruptedException {
        return new EvilBackend(name);
    }

    /** Plays {@code script} for every request to {@code path} (exact match, query included). */
    public EvilBackend on(String path, Script script) {
        scripts.put(path, script);
        return this;
    }

    public String name() {
        return name;
    }

    public String address() {
        return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    public int connectionsAccepted() {
        return connectionsAccepted.get();
    }

    public int openConnections() {
        return openConnections.get();
    }

    /** Request lines received, in order ("GET /x HTTP/1.1"). */
    public List<String> requestLines() {
        return requestLines;
    }

    @Override
    public void close() {
        if (group.isShuttingDown()) {
            return;
        }
        server.close().syncUninterruptibly();
        children.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One accepted connection: collects request bytes, plays one script at a time. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final StringBuilder received = new StringBuilder();
        private boolean playing;
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                received.append(buf.toString(StandardCharsets.ISO_8859_1));
            } finally {
                buf.release();
            }
            nextRequest();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();  // the proxy reset or closed: nothing to do but let go
        }

        private void nextRequest() {
            if (playing || !ctx.channel().isActive()) {
                return;
            }
            int headEnd = received.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                return;
            }
            String head = received.substring(0, headEnd);
            int bodyEnd = bodyEnd(head, headEnd + 4);
            if (bodyEnd < 0) {
                return;
            }
            received.delete(0, bodyEnd);
            String requestLine = head.substring(0, head.indexOf("\r\n") < 0 ? head.length() : head.indexOf("\r\n"));
            requestLines.add(requestLine);
            String[] parts = requestLine.split(" ");
            String path = parts.length > 1 ? parts[1] : "/";
            Script script = scripts.get(path);
            if (script == null) {
                script = Script.respond("HTTP/1.1 200 OK\r\nContent-Length: " + path.length()
                        + "\r\nx-backend: " + name + "\r\n\r\n" + path);
            }
            playing = true;
            play(script.steps, 0);
        }

        /** Where the request's body ends in {@link #received}, or -1 while it is incomplete. */
        private int bodyEnd(String head, int bodyStart) {
            String lower = head.toLowerCase(Locale.ROOT);
            int cl = lower.indexOf("\r\ncontent-length:");
            if (cl >= 0) {
                int end = lower.indexOf("\r\n", cl + 2);
                long length = Long.parseLong(head.substring(cl + 17, end < 0 ? head.length() : end).trim());
                return received.length() >= bodyStart + length ? (int) (bodyStart + length) : -1;
            }
            if (lower.contains("\r\ntransfer-encoding: chunked")) {
                int last = received.indexOf("\r\n0\r\n\r\n", bodyStart - 2);
                return last < 0 ? -1 : last + 7;
            }
            return bodyStart;
        }

        private void play(List<Step> steps, int i) {
            Channel ch = ctx.channel();
            if (i == steps.size()) {
                playing = false;
                nextRequest();
                return;
            }
            Step step = steps.get(i);
            if (step instanceof Send send) {
                ch.writeAndFlush(Unpooled.wrappedBuffer(send.bytes())).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        play(steps, i + 1);
                    }
                });
            } else if (step instanceof Await await) {
                await.gate().whenComplete((v, e) -> ch.eventLoop().execute(() -> play(steps, i + 1)));
            } else if (step instanceof Trickle trickle) {
                writePieces(steps, i, trickle.bytes(), trickle.bytes().length, trickle.everyNanos(), 0);
            } else if (step instanceof Paced paced) {
                writePieces(steps, i, paced.bytes(), paced.pieces(), paced.everyNanos(), 0);
            } else if (step == Close.RST) {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
                ch.close();
            } else {
                ch.close();
            }
        }

        private void writePieces(List<Step> steps, int i, byte[] bytes, int pieces, long everyNanos, int done) {
            Channel ch = ctx.channel();
            if (done == pieces) {
                play(steps, i + 1);
                return;
            }
            if (!ch.isActive()) {
                return;
            }
            int from = (int) ((long) bytes.length * done / pieces);
            int to = (int) ((long) bytes.length * (done + 1) / pieces);
            ch.writeAndFlush(Unpooled.wrappedBuffer(bytes, from, to - from));
            ch.eventLoop().schedule(() -> writePieces(steps, i, bytes, pieces, everyNanos, done + 1), everyNanos,
                    TimeUnit.NANOSECONDS);
        }
    }
}
