package dev.meridian.proxy.admin;

import dev.meridian.health.HealthEvent;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.proxy.server.ProxyStats;
import dev.meridian.proxy.server.TrafficMeters;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.EndpointStatus;
import dev.meridian.routing.Route;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.RoutingTableRef;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * {@code /metrics}: Prometheus text from a Micrometer registry, names per Prometheus conventions ({@code meridian_}
 * prefix, {@code _total} counters, {@code _seconds} durations). Counters are read at scrape time from what the data
 * plane writes anyway ({@link ProxyStats}, {@link TrafficMeters}, endpoint states), so scraping adds nothing to a
 * request. Every label value comes from the config (route, cluster, endpoint, region) or a fixed set (status class,
 * tier, limit), never from a request. Per-route, per-cluster and per-endpoint meters follow reloads: synced with the
 * table before each scrape. Scrapes are serialized by the caller (the admin loop).
 */
final class AdminMetrics implements AutoCloseable {
    /** Upper bounds of the upstream latency buckets, in seconds. */
    static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    static final double[] LATENCY_QUANTILES = {0.5, 0.9, 0.99, 0.999};
    /** Counters shown with labels below rather than one series each. */
    private static final Set<String> LABELLED = Set.of("overflowMaxConnections", "overflowMaxPending",
            "overflowMaxRequests", "overflowMaxRetries", "reloadsOk", "reloadsFailed", "shedByContinuity",
            "shedByLoad", "downstreamConnections", "upstreamConnections");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RoutingTableRef routing;
    private final TrafficMeters meters;
    private final ToDoubleFunction<String> rps;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<String, List<Meter>> endpointMeters = new HashMap<>();
    private final Set<String> routeMeters = new HashSet<>();
    private final Set<String> clusterMeters = new HashSet<>();
    private long syncedVersion = -1;

    AdminMetrics(MeridianServer proxy, ToDoubleFunction<String> rps) {
        this.routing = proxy.routing();
        this.meters = proxy.meters();
        this.rps = rps;
        ProxyStats stats = proxy.stats();
        for (Field f : ProxyStats.class.getFields()) {
            if (f.getType() == LongAdder.class && !Modifier.isStatic(f.getModifiers())
                    && !LABELLED.contains(f.getName())) {
                counter("meridian." + dotted(f.getName()), Tags.empty(), read(f, stats), LongAdder::sum);
            }
        }
        counter("meridian.config.reloads", Tags.of("result", "ok"), stats.reloadsOk, LongAdder::sum);
        counter("meridian.config.reloads", Tags.of("result", "failed"), stats.reloadsFailed, LongAdder::sum);
        counter("meridian.downstream.connections.opened", Tags.empty(), stats.downstreamConnections, LongAdder::sum);
        counter("meridian.upstream.connections.opened", Tags.empty(), stats.upstreamConnections, LongAdder::sum);
        for (int tier = 0; tier < TrafficMeters.TIERS; tier++) {
            int t = tier;
            counter("meridian.shed.requests", Tags.of("tier", String.valueOf(t), "reason", "continuity"), meters,
                    m -> m.shedCount(t, true));
            counter("meridian.shed.requests", Tags.of("tier", String.valueOf(t), "reason", "load"), meters,
                    m -> m.shedCount(t, false));
        }
        Gauge.builder("meridian.downstream.in.flight", proxy, MeridianServer::activeExchanges)
                .description("requests between their head arriving and their response ending").register(registry);
        Gauge.builder("meridian.downstream.connections.open", proxy, MeridianServer::downstreamConnections)
                .register(registry);
        healthEvents(proxy);
        allocator("default", ByteBufAllocator.DEFAULT);
        if (ByteBufAllocator.DEFAULT != PooledByteBufAllocator.DEFAULT) {
            allocator("pooled", PooledByteBufAllocator.DEFAULT);
        }
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
    }

    String scrape() {
        sync(routing.current());
        StringBuilder text = new StringBuilder(registry.scrape());
        LatencyText.append(text, meters.latencyByCluster(), meters.recentWindow());
        return text.toString();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** Transitions and ejections from the health log; the control thread counts them as they are published. */
    private void healthEvents(MeridianServer proxy) {
        Map<String, Counter> counters = new HashMap<>();
        Map<String, Timer> detection = new HashMap<>();
        proxy.health().log().listen((HealthEvent e) -> {
            if (!e.isTransition()) {
                return;
            }
            counters.computeIfAbsent(e.cluster() + '\0' + e.from() + '\0' + e.to(), k ->
                    Counter.builder("meridian.endpoint.transitions")
                            .description("endpoint status changes published")
                            .tags("cluster", e.cluster(), "from", lower(e.from()), "to", lower(e.to()))
                            .register(registry)).increment();
            if (e.to() == EndpointStatus.EJECTED) {
                counters.computeIfAbsent(e.cluster(), k -> Counter.builder("meridian.endpoint.ejections")
                        .tags("cluster", e.cluster()).register(registry)).increment();
            }
            if (e.detectionNanos() >= 0) {
                detection.computeIfAbsent(e.cluster(), k -> Timer.builder("meridian.failover.detection")
                        .description("from the first failure seen to the endpoint's ejection published")
                        .tags("cluster", e.cluster())
                        .serviceLevelObjectives(slo(0.01), slo(0.05), slo(0.1), slo(0.25), slo(0.5), slo(1),
                                slo(2.5), slo(5), slo(10), slo(30))
                        .register(registry)).record(e.detectionNanos(), TimeUnit.NANOSECONDS);
            }
        });
    }

    private void allocator(String name, ByteBufAllocator allocator) {
        if (!(allocator instanceof ByteBufAllocatorMetricProvider provider)) {
            return;
        }
        ByteBufAllocatorMetric metric = provider.metric();
        Gauge.builder("meridian.netty.allocator.used", metric, ByteBufAllocatorMetric::usedHeapMemory)
                .tags("allocator", name, "memory", "heap").baseUnit("bytes").register(registry);
        Gauge.builder("meridian.netty.allocator.used", metric, ByteBufAllocatorMetric::usedDirectMemory)
                .tags("allocator", name, "memory", "direct").baseUnit("bytes").register(registry);
    }

    private void sync(RoutingTable table) {
        if (table.version() == syncedVersion) {
            return;
        }
        syncedVersion = table.version();
        List<String> routeNames = table.routes().stream().map(Route::name).toList();
        List<String> clusterNames = table.clusters().stream().map(Cluster::name).toList();
        meters.prepare(routeNames, clusterNames);
        // Routes and clusters keep their series after a reload drops them: counters must not go back to 0 if the
        // name returns, and names are few.
        meters.downstream().forEach((route, byClass) -> {
            if (routeMeters.add(route)) {
                for (int i = 0; i < byClass.length; i++) {
                    counter("meridian.downstream.requests",
                            Tags.of("route", route, "status_class", TrafficMeters.STATUS_CLASSES[i]),
                            byClass[i], LongAdder::sum);
                }
            }
        });
        for (String c : clusterNames) {
            if (clusterMeters.add(c)) {
                for (TrafficMeters.BreakerLimit limit : TrafficMeters.BreakerLimit.values()) {
                    counter("meridian.circuit.breaker.rejections", Tags.of("cluster", c, "limit", limit.label()),
                            meters, m -> m.rejections(c, limit));
                }
                // The breaker counts these for its limits; they read the current table's cluster of that name.
                Gauge.builder("meridian.upstream.connections.open", () -> breakerValue(c,
                                b -> b.connectionsOpen()))
                        .description("upstream connections open to the cluster, idle ones included")
                        .tags(Tags.of("cluster", c)).register(registry);
                Gauge.builder("meridian.upstream.pending", () -> breakerValue(c, b -> b.pendingRequests()))
                        .description("requests waiting for a new upstream connection")
                        .tags(Tags.of("cluster", c)).register(registry);
            }
        }
        Map<String, List<Meter>> stale = new HashMap<>(endpointMeters);
        for (Cluster c : table.clusters()) {
            for (EndpointState e : c.endpoints()) {
                if (stale.remove(e.id()) == null) {
                    endpointMeters.put(e.id(), register(e, c.name()));
                }
            }
        }
        stale.forEach((id, list) -> {
            list.forEach(registry::remove);
            endpointMeters.remove(id);
        });
    }

    /** Meters that look the endpoint up in the current table, so they never hold a replaced state. */
    private List<Meter> register(EndpointState state, String cluster) {
        String id = state.id();
        Tags tags = Tags.of("endpoint", id, "cluster", cluster, "region", state.config().region());
        // Kept by id for as long as the server runs, so the meters may hold them rather than look them up.
        TrafficMeters.EndpointMeters seen = meters.endpoint(id);
        List<Meter> list = new ArrayList<>();
        list.add(FunctionCounter.builder("meridian.upstream.requests", state, EndpointState::requestsTotal)
                .description("tries sent to the endpoint: first tries, retries and hedges").tags(tags)
                .register(registry));
        list.add(FunctionCounter.builder("meridian.upstream.retries", seen, TrafficMeters.EndpointMeters::retries)
                .description("retries and hedges sent to the endpoint").tags(tags).register(registry));
        list.add(FunctionCounter.builder("meridian.upstream.connect.failures", seen,
                TrafficMeters.EndpointMeters::connectFailures).description("connects refused, reset or timed out")
                .tags(tags).register(registry));
        list.add(Gauge.builder("meridian.endpoint.connections.open", seen,
                TrafficMeters.EndpointMeters::connectionsOpen)
                .description("upstream connections established to the endpoint, idle ones included").tags(tags)
                .register(registry));
        list.add(FunctionCounter.builder("meridian.endpoint.connections.opened", seen,
                TrafficMeters.EndpointMeters::connectionsOpened).description("upstream connections established")
                .tags(tags).register(registry));
        list.add(FunctionCounter.builder("meridian.endpoint.connections.closed", seen,
                TrafficMeters.EndpointMeters::connectionsClosed)
                .description("established upstream connections closed, by either side").tags(tags)
                .register(registry));
        list.add(Gauge.builder("meridian.endpoint.in.flight", () -> value(id, s -> Math.max(0, s.inFlight())))
                .tags(tags).register(registry));
        list.add(Gauge.builder("meridian.endpoint.effective.weight", () -> value(id, s -> {
            Cluster c = routing.current().cluster(s.clusterLoad().cluster());
            return c == null ? 0 : s.effectiveWeight(System.nanoTime(), c.config());
        })).tags(tags).register(registry));
        list.add(Gauge.builder("meridian.endpoint.up", () -> value(id, s -> s.status().takesTraffic() ? 1 : 0))
                .description("1 while the endpoint takes traffic, 0 when down, drained or ejected").tags(tags)
                .register(registry));
        list.add(Gauge.builder("meridian.endpoint.rps", () -> rps.applyAsDouble(id)).tags(tags)
                .register(registry));
        return list;
    }

    private <T> void counter(String name, Tags tags, T source, ToLongFunction<T> f) {
        FunctionCounter.builder(name, source, s -> f.applyAsLong(s)).tags(tags).register(registry);
    }

    private double breakerValue(String cluster, ToDoubleFunction<CircuitBreaker> f) {
        Cluster c = routing.current().cluster(cluster);
        return c == null ? Double.NaN : f.applyAsDouble(c.breaker());
    }

    private double value(String id, ToDoubleFunction<EndpointState> f) {
        EndpointState s = routing.current().endpoint(id);
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    private static Duration slo(double seconds) {
        return Duration.ofNanos((long) (seconds * 1e9));
    }

    private static String lower(EndpointStatus s) {
        return s == null ? "none" : s.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code noEndpoint} to {@code no.endpoint}: Micrometer's naming turns the dots into Prometheus underscores. */
    static String dotted(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                b.append('.').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static LongAdder read(Field f, ProxyStats stats) {
        try {
            return (LongAdder) f.get(stats);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("ProxyStats." + f.getName() + " is public", e);
        }
    }
}
