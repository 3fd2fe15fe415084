package dev.meridian.proxy.server;

import dev.meridian.config.ServerConfig;
import dev.meridian.proxy.observe.AccessLogSwitch;
import dev.meridian.proxy.upstream.UpstreamPool;
import dev.meridian.routing.ErrorRateRecorder;
import dev.meridian.routing.OutcomeSink;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RoutingTableRef;
import io.netty.channel.group.ChannelGroup;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection of a running server shares: the routing snapshot holder, per-loop state, counters and the
 * draining flag. Built once per server.
 */
public final class ServerContext {
    private final RoutingTableRef routing;
    private final ServerConfig serverConfig;
    private final ProxyStats stats;
    private final PerLoop<PickContext> pickContexts;
    private final PerLoop<UpstreamPool> pools;
    private final ChannelGroup clientChannels;
    /** Per loop, so the loops never contend on one counter; summed only by the rare reader. */
    private final PerLoop<AtomicInteger> activeExchanges;
    private volatile boolean draining;
    private volatile OutcomeSink outcomes = ErrorRateRecorder.before(OutcomeSink.NONE);
    private final Continuity continuity;
    private final AccessLogSwitch accessLog;
    private final TrafficMeters meters;
    private final ConnectionLimiter connectionLimiter;

    public ServerContext(RoutingTableRef routing, ServerConfig serverConfig, ProxyStats stats,
                         PerLoop<PickContext> pickContexts, PerLoop<UpstreamPool> pools,
                         ChannelGroup clientChannels, PerLoop<AtomicInteger> activeExchanges,
                         TrafficMeters meters) {
        this.routing = routing;
        this.meters = meters;
        this.serverConfig = serverConfig;
        this.stats = stats;
        this.pickContexts = pickContexts;
        this.pools = pools;
        this.clientChannels = clientChannels;
        this.activeExchanges = activeExchanges;
        this.continuity = new Continuity(serverConfig.continuity(), serverConfig.autoShedding());
        this.accessLog = new AccessLogSwitch(stats.accessLogDropped, stats.accessLogWriteErrors);
        this.connectionLimiter = new ConnectionLimiter(serverConfig.maxConnections(),
                serverConfig.maxConnectionsPerClient());
    }

    /** The client connections open, in total and per address, against server.max_connections(_per_client). */
    ConnectionLimiter connectionLimiter() {
        return connectionLimiter;
    }

    /** The continuity level in force and the automatic shedding switch; the admin port sets the level. */
    public Continuity continuity() {
        return continuity;
    }

    public RoutingTableRef routing() {
        return routing;
    }

    public ServerConfig serverConfig() {
        return serverConfig;
    }

    public ProxyStats stats() {
        return stats;
    }

    /** The labelled counters: per route, cluster, endpoint and tier. */
    public TrafficMeters meters() {
        return meters;
    }

    public PerLoop<PickContext> pickContexts() {
        return pickContexts;
    }

    public PerLoop<UpstreamPool> pools() {
        return pools;
    }

    public ChannelGroup clientChannels() {
        return clientChannels;
    }

    /** Where each try's outcome goes: the endpoint's error rate, then the health subsystem's outlier detection. */
    public OutcomeSink outcomes() {
        return outcomes;
    }

    void outcomes(OutcomeSink sink) {
        outcomes = ErrorRateRecorder.before(sink);
        for (UpstreamPool pool : pools.all()) {
            pool.outcomes(outcomes);
        }
    }

    /** Where each exchange's access log line goes: off until the server starts it, swapped by reloads. */
    public AccessLogSwitch accessLog() {
        return accessLog;
    }

    public boolean draining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }

    PerLoop<AtomicInteger> activeExchangeCounters() {
        return activeExchanges;
    }

    /** Requests between their head arriving and their response ending. */
    public int activeExchanges() {
        int sum = 0;
        for (AtomicInteger n : activeExchanges.all()) {
            sum += n.get();
        }
        return sum;
    }
}
