package dev.meridian.proxy.upstream;

import dev.meridian.proxy.server.ProxyStats;
import dev.meridian.proxy.server.TrafficMeters;
import dev.meridian.proxy.server.Transport;
import dev.meridian.routing.AdminState;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.OutcomeSink;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive connections of one event loop to every endpoint, as Envoy's per-worker pools: confined to its loop,
 * so it needs no lock. Idle connections are reused newest first (warm, and the oldest age out).
 */
public final class UpstreamPool {
    static final String DECODER_NAME = "http-decoder";
    static final String ENCODER_NAME = "http-encoder";
    private static final Duration SWEEP_PERIOD = Duration.ofSeconds(1);

    private final EventLoop loop;
    private final ChannelOpener opener;
    private final ProxyStats stats;
    private final TrafficMeters meters;
    private final Map<EndpointState, Slot> slots = new IdentityHashMap<>();
    /** Set once the health subsystem is up; read only when an idle connection misbehaves. */
    private volatile OutcomeSink outcomes = OutcomeSink.NONE;

    private static final class Slot {
        final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
        /** Tries waiting for a connection to come free, oldest first; empty (and unallocated) almost always. */
        ArrayDeque<ConnectionWaiter> waiters;
        int open;

        boolean hasWaiters() {
            return waiters != null && !waiters.isEmpty();
        }
    }

    public UpstreamPool(EventLoop loop, Transport transport, ProxyStats stats, TrafficMeters meters) {
        this(loop, new Sockets(loop, transport), stats, meters);
    }

    /** A pool whose connections come from {@code opener}: in memory, for tests of the exchange above it. */
    public UpstreamPool(EventLoop loop, ChannelOpener opener, ProxyStats stats, TrafficMeters meters) {
        this.loop = loop;
        this.opener = opener;
        this.stats = stats;
        this.meters = meters;
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

    /**
     * The idle connections per endpoint, copied on the pool's own loop: what tests and diagnostics read to see that
     * no dead connection waits for reuse. Callable from any thread; the copy is a snapshot.
     */
    public Future<Map<EndpointState, List<UpstreamConnection>>> idleConnections() {
        return loop.submit(() -> {
            Map<EndpointState, List<UpstreamConnection>> copy = new IdentityHashMap<>();
            slots.forEach((endpoint, slot) -> copy.put(endpoint, List.copyOf(slot.idle)));
            return copy;
        });
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

    /** Where a misbehaving idle connection is reported, as a failure of its endpoint. */
    public void outcomes(OutcomeSink sink) {
        outcomes = sink;
    }

    /**
     * Opens a new connection; its {@link UpstreamConnection} is {@code UpstreamConnection.of(future.channel())}.
     *
     * @param breaker                whose connection slot the caller took with
     *                               {@link CircuitBreaker#tryOpenConnection()}, given back when the channel is gone,
     *                               whether it ever connected or not; null: none
     * @param maxResponseHeaderBytes the cluster's limit on a response's headers
     */
    public ChannelFuture connect(EndpointState endpoint, Duration timeout, CircuitBreaker breaker,
                                 int maxResponseHeaderBytes) {
        ChannelFuture f = opener.open(timeout);
        if (f.isDone() && !f.isSuccess()) {
            // No socket (out of file descriptors) or no loop: such a channel never registers, so no unregistered
            // event will give the caller's slot back; nothing of this pool was taken for it yet.
            if (breaker != null) {
                breaker.connectionClosed();
            }
            return f;
        }
        Slot slot = slots.computeIfAbsent(endpoint, e -> new Slot());
        slot.open++;
        stats.upstreamConnections.increment();
        UpstreamConnection connection = new UpstreamConnection(endpoint, this, breaker,
                meters.endpoint(endpoint.id()), maxResponseHeaderBytes);
        // Added here rather than by an initializer because only this call knows the endpoint.
        f.channel().pipeline()
                .addLast(DECODER_NAME, connection.decoder())
                .addLast(ENCODER_NAME, connection.encoder())
                .addLast(UpstreamConnection.HANDLER_NAME, connection);
        ChannelFuture connecting = f.channel().connect(endpoint.address());
        // Added first, so it runs before the caller's listener: a retry after a refused connect finds its slot free.
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                connection.giveSlotBack();
            }
        });
        return connecting;
    }

    /** Takes back a connection whose exchange ended cleanly, for the next request to the same endpoint. */
    public void release(UpstreamConnection c, Duration idleTimeout) {
        if (!c.channel().isActive()) {
            return;
        }
        if (!c.reusable()) {
            c.channel().close();  // the caller should have seen it; framing is never trusted on faith
            return;
        }
        if (retired(c.endpoint())) {
            // Drained or in maintenance: its keep-alive connections end with their current response.
            c.channel().close();
            return;
        }
        c.markIdle(System.nanoTime(), idleTimeout.toNanos());
        // Keep reading while idle, so the endpoint closing the connection is seen at once.
        c.reading(true);
        Slot slot = slots.computeIfAbsent(c.endpoint(), e -> new Slot());
        while (slot.hasWaiters()) {
            if (slot.waiters.pollFirst().take(c)) {
                return;
            }
        }
        slot.idle.addLast(c);
    }

    /** {@code waiter} waits for the next connection to {@code endpoint} that comes free on this loop. */
    public void await(EndpointState endpoint, ConnectionWaiter waiter) {
        Slot slot = slots.computeIfAbsent(endpoint, e -> new Slot());
        if (slot.waiters == null) {
            slot.waiters = new ArrayDeque<>();
        }
        slot.waiters.addLast(waiter);
    }

    /** {@code waiter} waits no more: it was given up. */
    public void stopWaiting(EndpointState endpoint, ConnectionWaiter waiter) {
        Slot slot = slots.get(endpoint);
        if (slot != null && slot.waiters != null) {
            slot.waiters.remove(waiter);
            dropIfUnused(endpoint, slot);
        }
    }

    /** An idle connection received bytes nobody asked for; it is being closed. */
    void unaskedBytes(UpstreamConnection c) {
        stats.upstreamOverruns.increment();
        outcomes.responseBroken(c.endpoint());
    }

    void closed(UpstreamConnection c) {
        Slot slot = slots.get(c.endpoint());
        if (slot == null) {
            return;
        }
        slot.open--;
        slot.idle.remove(c);
        if (slot.hasWaiters()) {
            slot.waiters.pollFirst().roomFreed();
        }
        dropIfUnused(c.endpoint(), slot);
    }

    private void dropIfUnused(EndpointState endpoint, Slot slot) {
        if (slot.open <= 0 && slot.idle.isEmpty() && !slot.hasWaiters() && slots.get(endpoint) == slot) {
            slots.remove(endpoint);
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

    /** Sockets of the server's transport, on the pool's loop, under the connect timeout each asks for. */
    private static final class Sockets implements ChannelOpener {
        private final Bootstrap bootstrap;
        private int connectTimeoutMillis = -1;

        Sockets(EventLoop loop, Transport transport) {
            bootstrap = new Bootstrap()
                    .group(loop)
                    .channel(transport.clientChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.ALLOCATOR, Transport.DATA_PLANE_ALLOCATOR)
                    .handler(NoopHandler.INSTANCE);
        }

        @Override
        public ChannelFuture open(Duration connectTimeout) {
            int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis()));
            if (millis != connectTimeoutMillis) {
                bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis);
                connectTimeoutMillis = millis;
            }
            return bootstrap.register();
        }
    }
}
