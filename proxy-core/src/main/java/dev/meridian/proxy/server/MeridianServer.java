package dev.meridian.proxy.server;

import dev.meridian.config.ListenerConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.health.HealthSupervisor;
import dev.meridian.health.probe.ActiveHealthChecker;
import dev.meridian.proxy.admin.AdminPlane;
import dev.meridian.proxy.admin.FirstRound;
import dev.meridian.proxy.observe.AccessLog;
import dev.meridian.proxy.observe.AccessLogSwitch;
import dev.meridian.proxy.upstream.UpstreamPool;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.RoutingTableRef;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A running proxy: the event loops, the listeners and what their connections share. Start with {@link #start};
 * stop with {@link #shutdownGracefully} (what SIGTERM does) or {@link #close}.
 */
public final class MeridianServer implements AutoCloseable {
    /** As many as the accept backlog holds: see where it is set. */
    private static final int ACCEPTS_PER_WAKEUP = 4096;
    /**
     * Not zero: with no quiet period a Netty 4.2 loop can stop before it closes its channels, leaving upstream
     * keep-alive sockets open after close() (seen in tests: backends kept idle connections from a closed proxy).
     */
    private static final Duration FORCED_CLOSE_QUIET_PERIOD = Duration.ofMillis(10);
    private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How often offered rates are compared with healthy capacity: the window each rate is measured over. */
    private static final long SHED_SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long close() waits for the access log writer to write what is queued. */
    private static final Duration ACCESS_LOG_FLUSH = Duration.ofSeconds(2);

    private final Transport transport;
    private final EventLoopGroup ioGroup;
    private final ServerContext context;
    private final List<Channel> listenChannels;
    private final List<InetSocketAddress> boundAddresses;
    private volatile MeridianConfig config;
    private final HealthSupervisor health;
    private final ActiveHealthChecker checker;
    /** Set once right after construction; the admin port needs the running server to start. */
    private AdminPlane admin;
    private boolean stopped;

    private MeridianServer(Transport transport, EventLoopGroup ioGroup, ServerContext context,
                           List<Channel> listenChannels, MeridianConfig config, HealthSupervisor health,
                           ActiveHealthChecker checker) {
        this.health = health;
        this.checker = checker;
        this.transport = transport;
        this.ioGroup = ioGroup;
        this.context = context;
        this.listenChannels = List.copyOf(listenChannels);
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (Channel ch : listenChannels) {
            addresses.add((InetSocketAddress) ch.localAddress());
        }
        this.boundAddresses = List.copyOf(addresses);
        this.config = config;
    }

    /** Event loops: one per core, as the data plane is CPU-bound. */
    public static MeridianServer start(MeridianConfig config) throws InterruptedException {
        return start(config, Runtime.getRuntime().availableProcessors());
    }

    public static MeridianServer start(MeridianConfig config, int ioThreads) throws InterruptedException {
        return start(config, ioThreads, Transport.best());
    }

    /**
     * Binds every listener, then the admin port; on any failure releases what it had opened (loops, bound ports,
     * files) before throwing.
     *
     * @throws BindFailure when a listener or the admin port cannot be bound
     */
    public static MeridianServer start(MeridianConfig config, int ioThreads, Transport transport)
            throws InterruptedException {
        EventLoopGroup group = transport.newGroup(ioThreads, "meridian-io");
        HealthSupervisor health = null;
        ActiveHealthChecker checker = null;
        AccessLogSwitch accessLog = null;
        List<Channel> channels = new ArrayList<>();
        MeridianServer server;
        FirstRound firstRound;
        try {
            TrafficMeters meters = new TrafficMeters();
            RoutingTable first = RoutingTable.build(config, null);
            meters.bind(first);
            RoutingTableRef routing = new RoutingTableRef(first);
            ProxyStats stats = new ProxyStats();
            SplittableRandom seeds = new SplittableRandom();
            PerLoop<PickContext> picks = new PerLoop<>(group, loop -> new PickContext(seeds.split()));
            PerLoop<UpstreamPool> pools = new PerLoop<>(group, loop ->
                    new UpstreamPool(loop, transport, stats, meters));
            ChannelGroup clients = new DefaultChannelGroup("meridian-clients", GlobalEventExecutor.INSTANCE);
            ServerContext context = new ServerContext(routing, config.server(), stats, picks, pools, clients,
                    new PerLoop<>(group, loop -> new AtomicInteger()), meters);
            accessLog = context.accessLog();
            accessLog.start(config.accessLog());
            // The checker probes ejected endpoints before they return, and reports to the supervisor: each needs
            // the other, so the prober reaches the checker through a holder set right after.
            ActiveHealthChecker[] checkerHolder = new ActiveHealthChecker[1];
            health = new HealthSupervisor(routing, (endpoint, cluster, result) ->
                    checkerHolder[0].probeOnce(endpoint, cluster, result));
            firstRound = new FirstRound(health, routing.current());
            checker = new ActiveHealthChecker(group, transport.clientChannel(), firstRound, System::nanoTime);
            checkerHolder[0] = checker;
            context.outcomes(health);

            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    // Netty accepts 16 connections per wakeup by default; a burst of a thousand then waits for
                    // dozens of turns of a loop busy with the other connections' requests, and its first requests
                    // time out in the accept queue. Take the whole queue at once (accept stops at EAGAIN anyway).
                    .option(ChannelOption.RCVBUF_ALLOCATOR,
                            new ServerChannelRecvByteBufAllocator().maxMessagesPerRead(ACCEPTS_PER_WAKEUP))
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOCATOR, Transport.DATA_PLANE_ALLOCATOR)
                    .childHandler(new ListenerInitializer(context));
            for (ListenerConfig listener : config.listeners()) {
                channels.add(bind(bootstrap, listener));
            }
            checker.start(routing.current());
            HealthSupervisor supervisor = health;
            CapacityShedder shedder = new CapacityShedder(routing, name -> {
                var h = supervisor.clusterHealth(name);
                return h == null ? Double.NaN : h.healthyPercent();
            }, context.continuity(), System.nanoTime());
            // A small pass over the clusters; on a loop rather than a thread of its own, as the health ticks.
            group.next().scheduleAtFixedRate(shedder, SHED_SAMPLE_NANOS, SHED_SAMPLE_NANOS, TimeUnit.NANOSECONDS);
            server = new MeridianServer(transport, group, context, channels, config, health, checker);
        } catch (InterruptedException | RuntimeException e) {
            if (checker != null) {
                checker.close();
            }
            if (health != null) {
                health.close();
            }
            // Closed here rather than left to the loops' shutdown: with no quiet period a loop can stop before it
            // closes its channels, and a listener bound before the failing one would keep its port.
            for (Channel ch : channels) {
                ch.close().awaitUninterruptibly();
            }
            group.shutdownGracefully(FORCED_CLOSE_QUIET_PERIOD.toMillis(), 2000, TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly();
            if (accessLog != null) {
                accessLog.close(ACCESS_LOG_FLUSH);
            }
            throw e;
        }
        try {
            server.admin = AdminPlane.start(server, firstRound);
        } catch (InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** @throws BindFailure naming the listener's address when it cannot be bound */
    private static Channel bind(ServerBootstrap bootstrap, ListenerConfig listener) throws InterruptedException {
        try {
            return bootstrap.bind(listener.address(), listener.port()).sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // sync() rethrows the bind's cause, checked or not: BindException from NIO, NativeIoException from epoll.
            throw BindFailure.of("listener '" + listener.name() + "'", listener.address(), listener.port(), e,
                    "the listener's port in the config");
        }
    }

    public List<InetSocketAddress> boundAddresses() {
        return boundAddresses;
    }

    /** The first listener's address: what tests and the demo talk to. */
    public InetSocketAddress address() {
        return boundAddresses.get(0);
    }

    public Transport transport() {
        return transport;
    }

    /** The config running now: the one started with, or the last one reloaded. */
    public MeridianConfig config() {
        return config;
    }

    /**
     * Replaces the routing table with one built from {@code next}, keeping the state of endpoints that persist, and
     * moves the health checks to it; switches the access log when its section changed. Listener, server and admin
     * settings take effect only on restart. Builds the table (which resolves host names) and opens files, so never
     * call it on an event loop.
     *
     * @return the table now published
     * @throws IllegalArgumentException when the table cannot be built or a new access log file cannot be opened; the
     *                                  running config and log stay
     * @throws IllegalStateException    when the server is stopping
     */
    public synchronized RoutingTable reload(MeridianConfig next) {
        if (stopped) {
            throw new IllegalStateException("the proxy is stopping");
        }
        RoutingTableRef routing = context.routing();
        AccessLogSwitch logs = context.accessLog();
        // Opened first: building the table commits the carried-over endpoint state, so a log file that cannot be
        // opened must refuse the reload before that.
        AccessLog log = logs.prepare(next.accessLog());
        RoutingTable table;
        try {
            table = RoutingTable.build(next, routing.current());
        } catch (RuntimeException e) {
            logs.discard(log);
            throw e;
        }
        context.meters().bind(table);
        routing.publish(table);
        logs.swap(log);
        health.tableChanged(table);
        checker.update(table);
        // The file's continuity level applies only when the file changed it: a level set at run time stays.
        context.continuity().configured(next.server().continuity(), next.server().autoShedding());
        config = next;
        return table;
    }

    /** The admin port: its address, and the runtime version. */
    public AdminPlane admin() {
        return admin;
    }

    /** Whether the proxy is draining for shutdown: {@code /ready} answers 503 then. */
    public boolean draining() {
        return context.draining();
    }

    public RoutingTableRef routing() {
        return context.routing();
    }

    /** The access log in force, swapped by reloads. */
    public AccessLogSwitch accessLog() {
        return context.accessLog();
    }

    public ProxyStats stats() {
        return context.stats();
    }

    public TrafficMeters meters() {
        return context.meters();
    }

    /** Client connections open now. */
    public int downstreamConnections() {
        return context.clientChannels().size();
    }

    /** Endpoint status, capacity roll-ups and events: what the admin port and metrics read. */
    public HealthSupervisor health() {
        return health;
    }

    /** The continuity level in force; the admin port sets it. */
    public Continuity continuity() {
        return context.continuity();
    }

    /** For tests in this package that look at a live connection's state. */
    ServerContext context() {
        return context;
    }

    public int activeExchanges() {
        return context.activeExchanges();
    }

    /**
     * Stops accepting, lets in-flight requests finish (their responses say {@code Connection: close}), closes idle
     * keep-alive connections, and after {@code grace} closes whatever is left. Blocks until done; never call it on
     * an event loop.
     *
     * @return whether every in-flight request finished within the grace period
     */
    public boolean shutdownGracefully(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        context.startDraining();
        for (Channel ch : listenChannels) {
            ch.close().syncUninterruptibly();
        }
        for (Channel ch : context.clientChannels()) {
            ch.eventLoop().execute(() -> {
                Http1Downstream handler = ch.pipeline().get(Http1Downstream.class);
                if (handler != null) {
                    handler.drain();
                }
            });
        }
        boolean clean = true;
        while (context.activeExchanges() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                clean = false;
                break;
            }
            LockSupport.parkNanos(DRAIN_POLL_NANOS);
        }
        synchronized (this) {
            stopped = true;
            checker.close();
            health.close();
        }
        context.clientChannels().close().awaitUninterruptibly(grace.toMillis() + 1000);
        ioGroup.shutdownGracefully(FORCED_CLOSE_QUIET_PERIOD.toMillis(), 2000, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly();
        // After the loops stopped: every exchange has handed its entry over.
        context.accessLog().close(ACCESS_LOG_FLUSH);
        if (admin != null) {
            admin.close();
        }
        return clean;
    }

    /** Closes at once, in-flight requests included. */
    @Override
    public void close() {
        shutdownGracefully(Duration.ZERO);
    }
}
