package dev.meridian.proxy.admin;

import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.RoutingTable;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Requests per second of each endpoint, from the deltas of its request counter between two samples. Sampled on a
 * timer by one thread (the admin worker), read by any: the readers see the last complete map.
 */
final class RateMeter {
    private record Sample(long total, long atNanos) {
    }

    private final Supplier<RoutingTable> table;
    private final LongSupplier nanoClock;
    private Map<String, Sample> last = Map.of();
    private volatile Map<String, Double> rates = Map.of();

    RateMeter(Supplier<RoutingTable> table, LongSupplier nanoClock) {
        this.table = table;
        this.nanoClock = nanoClock;
    }

    /** Takes a sample and updates the rates. One thread only. */
    void sample() {
        long now = nanoClock.getAsLong();
        Map<String, Sample> next = new HashMap<>();
        Map<String, Double> r = new HashMap<>();
        for (Cluster c : table.get().clusters()) {
            for (EndpointState s : c.endpoints()) {
                long total = s.requestsTotal();
                next.put(s.id(), new Sample(total, now));
                Sample prev = last.get(s.id());
                if (prev != null && now > prev.atNanos()) {
                    r.put(s.id(), Math.max(0, total - prev.total()) * 1e9 / (now - prev.atNanos()));
                }
            }
        }
        last = next;
        rates = Map.copyOf(r);
    }

    /** The endpoint's requests per second over the last sampling period; 0 until two samples were taken. */
    double rps(String endpointId) {
        return rates.getOrDefault(endpointId, 0.0);
    }
}
