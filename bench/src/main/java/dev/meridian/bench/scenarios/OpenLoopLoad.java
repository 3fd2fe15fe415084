package dev.meridian.bench.scenarios;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Open-loop HTTP/1.1 load: requests are due at a fixed total rate, evenly spaced, whatever the server does (wrk is
 * closed-loop: a slow server slows its own load and hides its queueing). Request i is due at {@code t0 + i / rate}
 * and goes to connection {@code i % conns}; a connection carries one request at a time (no pipelining), so a request
 * due while its connection is busy waits in that connection's queue, and its latency counts from its <em>intended</em>
 * send time, not from when it went out: coordinated omission corrected, as wrk2 does.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.meridian.bench.scenarios.OpenLoopLoad \
 *     --port 8080 --rate 20000 [--host 127.0.0.1] [--path /] [--conns 64] [--duration 10] [--warmup 2]
 * </pre>
 *
 * Prints one JSON line: rate, sent, completed, errors (non-2xx/3xx answers, requests lost with a closed connection,
 * failed connects), timeouts (no answer 2 s after being sent: the connection is then closed and reopened; or still
 * unanswered 2 s after the run), latency percentiles and max in ms. Warm-up requests are sent but not counted.
 * One event-loop thread, like the harness's {@code wrk -t1}; epoll when available for finer timers than NIO's 1 ms.
 */
public final class OpenLoopLoad {
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long RECONNECT_DELAY_MS = 10;

    private final String host;
    private final int port;
    private final double rate;
    private final int nConns;
    private final long warmupNs;
    private final long durationNs;
    private final ByteBuf request;
    private final Histogram latencyUs = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    private final CountDownLatch done = new CountDownLatch(1);
    private final Conn[] conns;
    private Bootstrap bootstrap;
    private EventLoop loop;

    // Everything below is touched by the event-loop thread only.
    private long t0;
    private long measureStart;
    private long measureEnd;
    private long nextIndex;
    private long sent;
    private long completed;
    private long errors;
    private long timeouts;
    /** Measured requests not yet answered, timed out or lost: the run ends when this reaches 0 (or after 2 s). */
    private long outstanding;

    private OpenLoopLoad(String host, int port, String path, double rate, int conns, double warmupS, double durationS) {
        this.host = host;
        this.port = port;
        this.rate = rate;
        this.nConns = conns;
        this.warmupNs = (long) (warmupS * 1e9);
        this.durationNs = (long) (durationS * 1e9);
        this.request = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(
                ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII)));
        this.conns = new Conn[conns];
    }

    /**
     * One keep-alive connection: at most one request in flight, the ones due meanwhile queued (intended times). The
     * same handler serves each channel it reopens, one at a time, hence sharable.
     */
    @ChannelHandler.Sharable
    private final class Conn extends SimpleChannelInboundHandler<HttpObject> {
        final ArrayDeque<Long> queue = new ArrayDeque<>();
        Channel ch;
        boolean busy;
        long inflightIntended;
        long inflightSentAt;
        int status;
        boolean keepAlive;
        boolean timedOut;

        void submit(long intended) {
            queue.add(intended);
            sendNext();
        }

        void sendNext() {
            if (busy || ch == null || !ch.isActive() || queue.isEmpty()) {
                return;
            }
            busy = true;
            timedOut = false;
            inflightIntended = queue.poll();
            inflightSentAt = System.nanoTime();
            if (measured(inflightIntended)) {
                sent++;
            }
            ch.writeAndFlush(request.duplicate(), ch.voidPromise());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r) {
                status = r.status().code();
                keepAlive = HttpUtil.isKeepAlive(r);
            }
            if (msg instanceof LastHttpContent && busy) {
                long now = System.nanoTime();
                busy = false;
                if (measured(inflightIntended)) {
                    completed++;
                    outstanding--;
                    latencyUs.recordValue(Math.min((now - inflightIntended) / 1000, latencyUs.getHighestTrackableValue()));
                    if (status < 200 || status >= 400) {
                        errors++;
                    }
                }
                if (keepAlive) {
                    sendNext();
                } else {
                    ctx.close();  // the server ends this connection (e.g. its max requests per connection): reopen
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            boolean lost = busy && !timedOut;  // a request in flight is lost, unless we closed on its timeout
            if (lost && measured(inflightIntended)) {
                errors++;
                outstanding--;
            }
            busy = false;
            ch = null;
            // An orderly close (the server's keep-alive limit, our timeout) reopens at once, as wrk does: the queued
            // requests are waiting. After a loss, a short pause keeps a failing server from being hammered.
            loop.schedule(() -> connect(this), lost ? RECONNECT_DELAY_MS : 0, TimeUnit.MILLISECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();  // resets and the like: channelInactive counts the loss and reconnects
        }

        void checkTimeout(long now) {
            if (busy && !timedOut && now - inflightSentAt > TIMEOUT_NS) {
                timedOut = true;
                if (measured(inflightIntended)) {
                    timeouts++;
                    outstanding--;
                }
                ch.close();
            }
        }
    }

    private boolean measured(long intended) {
        return intended >= measureStart && intended < measureEnd;
    }

    private ChannelFuture connect(Conn c) {
        if (done.getCount() == 0) {
            return null;
        }
        ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpResponseDecoder(), c);
            }
        }).connect(host, port);
        f.addListener(r -> {
            if (r.isSuccess()) {
                c.ch = f.channel();
                c.sendNext();
            } else {
                if (t0 != 0) {
                    errors++;  // a failed connect during the run; before it, run() reports the failure
                }
                loop.schedule(() -> connect(c), 100, TimeUnit.MILLISECONDS);
            }
        });
        return f;
    }

    /** Sends every request due by now, then sleeps until the next one is due. */
    private void tick() {
        long now = System.nanoTime();
        while (true) {
            long intended = t0 + (long) (nextIndex * 1e9 / rate);
            if (intended >= measureEnd) {
                loop.schedule(this::drain, 10, TimeUnit.MILLISECONDS);
                return;
            }
            if (intended > now) {
                loop.schedule(this::tick, intended - now, TimeUnit.NANOSECONDS);
                return;
            }
            if (measured(intended)) {
                outstanding++;
            }
            conns[(int) (nextIndex % nConns)].submit(intended);
            nextIndex++;
        }
    }

    /** After the last request is due: wait for the measured ones, at most 2 s; whatever is still open timed out. */
    private void drain() {
        if (outstanding > 0 && System.nanoTime() - measureEnd < TIMEOUT_NS) {
            loop.schedule(this::drain, 10, TimeUnit.MILLISECONDS);
            return;
        }
        timeouts += outstanding;
        outstanding = 0;
        done.countDown();
        for (Conn c : conns) {
            if (c.ch != null) {
                c.ch.close();
            }
        }
    }

    private String run() throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, io);
        try {
            loop = group.next();
            bootstrap = new Bootstrap().group(loop)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000);
            // Open every connection before the clock starts, so connection setup is not part of the figures.
            ChannelFuture[] fs = new ChannelFuture[nConns];
            for (int i = 0; i < nConns; i++) {
                conns[i] = new Conn();
                int k = i;
                fs[i] = loop.submit(() -> connect(conns[k])).sync().getNow();
            }
            for (ChannelFuture f : fs) {
                if (!f.await(5, TimeUnit.SECONDS) || !f.isSuccess()) {
                    throw new IllegalStateException("cannot connect to " + host + ":" + port);
                }
            }
            loop.execute(() -> {
                t0 = System.nanoTime();
                measureStart = t0 + warmupNs;
                measureEnd = measureStart + durationNs;
                loop.scheduleAtFixedRate(() -> {
                    long now = System.nanoTime();
                    for (Conn c : conns) {
                        c.checkTimeout(now);
                    }
                }, 50, 50, TimeUnit.MILLISECONDS);
                tick();
            });
            long limitS = (warmupNs + durationNs) / 1_000_000_000L + 10;
            if (!done.await(limitS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("run did not finish within " + limitS + " s");
            }
            return loop.submit(() -> json(epoll ? "epoll" : "nio")).get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private String json(String transport) {
        return String.format(Locale.ROOT, "{\"target\": \"%s:%d\", \"rate\": %.0f, \"conns\": %d, \"duration_s\": %.1f, "
                        + "\"sent\": %d, \"completed\": %d, \"errors\": %d, \"timeouts\": %d, \"p50_ms\": %.3f, "
                        + "\"p90_ms\": %.3f, \"p99_ms\": %.3f, \"p999_ms\": %.3f, \"max_ms\": %.3f, \"transport\": \"%s\"}",
                host, port, rate, nConns, durationNs / 1e9, sent, completed, errors, timeouts, pct(50), pct(90),
                pct(99), pct(99.9), latencyUs.getMaxValue() / 1000.0, transport);
    }

    private double pct(double p) {
        return latencyUs.getValueAtPercentile(p) / 1000.0;
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> a = new HashMap<>(Map.of("host", "127.0.0.1", "path", "/", "conns", "64",
                "duration", "10", "warmup", "2"));
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        if (!a.containsKey("port") || !a.containsKey("rate")) {
            System.err.println("usage: OpenLoopLoad --port P --rate R [--host H] [--path /] [--conns 64] "
                    + "[--duration 10] [--warmup 2]");
            System.exit(2);
        }
        if (Double.parseDouble(a.get("rate")) <= 0 || Integer.parseInt(a.get("conns")) < 1
                || Double.parseDouble(a.get("duration")) <= 0 || Double.parseDouble(a.get("warmup")) < 0) {
            System.err.println("rate and duration must be > 0, conns >= 1, warmup >= 0");
            System.exit(2);
        }
        System.out.println(new OpenLoopLoad(a.get("host"), Integer.parseInt(a.get("port")), a.get("path"),
                Double.parseDouble(a.get("rate")), Integer.parseInt(a.get("conns")),
                Double.parseDouble(a.get("warmup")), Double.parseDouble(a.get("duration"))).run());
    }
}
