package dev.meridian.proxy.upstream;

import dev.meridian.proxy.server.ProxyStats;
import dev.meridian.proxy.server.TrafficMeters;
import dev.meridian.proxy.server.Transport;
import dev.meridian.routing.AdminState;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.EndpointState;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive connections of one event loop to every endpoint, as Envoy's per-worker pools: confined to its loop,
 * so it needs no lock. Idle connections are reused newest first (warm, and the oldest age out).
 */
public final class UpstreamPool {
    /** Response chunks up to 64 KiB: fewer, larger writes when bodies are big. */
    private static final int MAX_CHUNK = 64 * 1024;
    private static final Duration SWEEP_PERIOD = Duration.ofSeconds(1);

    private final Bootstrap bootstrap;
    private final ProxyStats stats;
    private final TrafficMeters meters;
    private final Map<EndpointState, Slot> slots = new IdentityHashMap<>();
    private final int maxResponseHeaderBytes;
    private int connectTimeoutMillis = -1;

    private static final class Slot {
        final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
        int open;
    }

    public UpstreamPool(EventLoop loop, Transport transport, int maxResponseHeaderBytes, ProxyStats stats,
                        TrafficMeters meters) {
        this.stats = stats;
        this.meters = meters;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(NoopHandler.INSTANCE);
        this.maxResponseHeaderBytes = maxResponseHeaderBytes;
        loop.scheduleWithFixedDelay(this::closeExpiredIdle, SWEEP_PERIOD.toNanos(), SWEEP_PERIOD.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /** A live idle connection to the endpoint, or null. */
    public UpstreamConnection pollIdle(EndpointState endpoint) {
        Slot slot = slots.get(endpoint);
        if (slot == null) {
            return null;
        }
        UpstreamConnection c;
        while ((c = slot.idle.pollLast()) != null) {
            if (!c.channel().isActive()) {
                continue;
            }
            if (!current(c, endpoint)) {
                c.channel().close();
                continue;
            }
            return c;
        }
        return null;
    }

    /** Whether {@link #pollIdle} would return a connection now; takes nothing. */
    public boolean hasIdle(EndpointState endpoint) {
        Slot slot = slots.get(endpoint);
        if (slot == null) {
            return false;
        }
        for (UpstreamConnection c : slot.idle) {
            if (c.channel().isActive() && current(c, endpoint)) {
                return true;
            }
        }
        return false;
    }

    /** Whether one more connection to the endpoint stays within {@code max} open on this loop. */
    public boolean hasCapacity(EndpointState endpoint, int max) {
        Slot slot = slots.get(endpoint);
        return slot == null || slot.open < max;
    }

    /** Opens a new connection; its {@link UpstreamConnection} is {@code UpstreamConnection.of(future.channel())}. */
    public ChannelFuture connect(EndpointState endpoint, Duration timeout) {
        return connect(endpoint, timeout, null);
    }

    /**
     * Opens a new connection that holds a slot the caller took with {@link CircuitBreaker#tryOpenConnection()}; the
     * slot is given back when the channel is gone, whether it ever connected or not.
     */
    public ChannelFuture connect(EndpointState endpoint, Duration timeout, CircuitBreaker breaker) {
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        if (millis != connectTimeoutMillis) {
            bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis);
            connectTimeoutMillis = millis;
        }
        Slot slot = slots.computeIfAbsent(endpoint, e -> new Slot());
        slot.open++;
        stats.upstreamConnections.increment();
        UpstreamConnection connection = new UpstreamConnection(endpoint, this, breaker,
                meters.endpoint(endpoint.id()));
        ChannelFuture f = bootstrap.register();
        // Added here rather than by an initializer because only this call knows the endpoint.
        f.channel().pipeline()
                .addLast("http-codec", new HttpClientCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(8 * 1024)
                        .setMaxHeaderSize(maxResponseHeaderBytes)
                        .setMaxChunkSize(MAX_CHUNK), false, false))
                .addLast(UpstreamConnection.HANDLER_NAME, connection);
        if (f.isDone() && !f.isSuccess()) {
            return f;
        }
        return f.channel().connect(endpoint.address());
    }

    /** Takes back a connection whose exchange ended cleanly, for the next request to the same endpoint. */
    public void release(UpstreamConnection c, Duration idleTimeout) {
        if (!c.channel().isActive()) {
            return;
        }
        if (retired(c.endpoint())) {
            // Drained or in maintenance: its keep-alive connections end with their current response.
            c.channel().close();
            return;
        }
        c.markIdle(System.nanoTime(), idleTimeout.toNanos());
        slots.computeIfAbsent(c.endpoint(), e -> new Slot()).idle.addLast(c);
        // Keep reading while idle, so the endpoint closing the connection is seen at once.
        c.reading(true);
    }

    void closed(UpstreamConnection c) {
        Slot slot = slots.get(c.endpoint());
        if (slot == null) {
            return;
        }
        slot.open--;
        slot.idle.remove(c);
        if (slot.open <= 0 && slot.idle.isEmpty()) {
            slots.remove(c.endpoint());
        }
    }

    /**
     * Whether the connection goes where the endpoint is now. Pools are keyed by the endpoint's state, which a reload
     * carries over so connections survive it; a reload that moved the endpoint (same id, new address) must not
     * leave requests on the old address.
     */
    private static boolean current(UpstreamConnection c, EndpointState endpoint) {
        return endpoint.address().equals(c.channel().remoteAddress());
    }

    /** Whether an operator took the endpoint out (drain, maintenance): no new request will reuse a connection. */
    private static boolean retired(EndpointState endpoint) {
        return endpoint.health().adminState() != AdminState.ACTIVE;
    }

    private void closeExpiredIdle() {
        long now = System.nanoTime();
        for (Slot slot : slots.values().toArray(new Slot[0])) {
            for (Iterator<UpstreamConnection> it = slot.idle.iterator(); it.hasNext(); ) {
                UpstreamConnection c = it.next();
                if (c.idleExpired(now) || retired(c.endpoint())) {
                    it.remove();
                    c.channel().close();
                }
            }
        }
    }
}
