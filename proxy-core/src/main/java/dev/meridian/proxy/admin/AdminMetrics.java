package dev.meridian.proxy.admin;

import dev.meridian.proxy.server.ProxyStats;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.RoutingTableRef;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * {@code /metrics}: Prometheus text from a Micrometer registry. Every {@link ProxyStats} counter is exposed as a
 * function counter read at scrape time (found by reflection, so a counter added there shows up here without an edit),
 * and each endpoint of the current table gets gauges for in-flight requests, effective weight, whether it takes
 * traffic and its request rate. Endpoint meters follow reloads: synced with the table before each scrape. Scrapes
 * are serialized by the caller (the admin loop).
 */
final class AdminMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RoutingTableRef routing;
    private final ToDoubleFunction<String> rps;
    private final Map<String, List<Meter>> endpointMeters = new HashMap<>();
    private long syncedVersion = -1;

    AdminMetrics(ProxyStats stats, RoutingTableRef routing, ToDoubleFunction<String> rps) {
        this.routing = routing;
        this.rps = rps;
        for (Field f : ProxyStats.class.getFields()) {
            if (f.getType() == LongAdder.class && !Modifier.isStatic(f.getModifiers())) {
                LongAdder adder = read(f, stats);
                FunctionCounter.builder("meridian." + dotted(f.getName()), adder, LongAdder::sum)
                        .register(registry);
            }
        }
    }

    String scrape() {
        sync(routing.current());
        return registry.scrape();
    }

    private void sync(RoutingTable table) {
        if (table.version() == syncedVersion) {
            return;
        }
        syncedVersion = table.version();
        Map<String, List<Meter>> stale = new HashMap<>(endpointMeters);
        for (Cluster c : table.clusters()) {
            for (EndpointState e : c.endpoints()) {
                if (stale.remove(e.id()) == null) {
                    endpointMeters.put(e.id(), register(e.id(), c.name()));
                }
            }
        }
        stale.forEach((id, meters) -> {
            meters.forEach(registry::remove);
            endpointMeters.remove(id);
        });
    }

    /** Gauges that look the endpoint up in the current table, so they never hold a replaced state. */
    private List<Meter> register(String id, String cluster) {
        Tags tags = Tags.of("endpoint", id, "cluster", cluster);
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("meridian.endpoint.in.flight", () -> value(id, s -> Math.max(0, s.inFlight())))
                .tags(tags).register(registry));
        meters.add(Gauge.builder("meridian.endpoint.effective.weight", () -> value(id, s -> {
            Cluster c = routing.current().cluster(s.clusterLoad().cluster());
            return c == null ? 0 : s.effectiveWeight(System.nanoTime(), c.config());
        })).tags(tags).register(registry));
        meters.add(Gauge.builder("meridian.endpoint.up", () -> value(id, s -> s.status().takesTraffic() ? 1 : 0))
                .tags(tags).register(registry));
        meters.add(Gauge.builder("meridian.endpoint.rps", () -> rps.applyAsDouble(id)).tags(tags)
                .register(registry));
        return meters;
    }

    private double value(String id, ToDoubleFunction<EndpointState> f) {
        EndpointState s = routing.current().endpoint(id);
        return s == null ? Double.NaN : f.applyAsDouble(s);
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
