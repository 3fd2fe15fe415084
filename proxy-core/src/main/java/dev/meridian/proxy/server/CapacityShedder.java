package dev.meridian.proxy.server;

import dev.meridian.config.RouteConfig;
import dev.meridian.routing.CircuitBreaker;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.RoutingTableRef;
import dev.meridian.routing.ShedLadder;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Compares each cluster's offered request rate per tier with its healthy capacity, once per period, and sets the
 * highest tier it serves ({@link ShedLadder#admittedTier}). Only clusters whose endpoints all give a
 * {@code capacity} (requests per second) take part; the others are never shed on this signal. Runs on one thread.
 */
final class CapacityShedder implements Runnable {
    private final RoutingTableRef routing;
    /** A cluster's healthy share of its capacity in percent, from the health subsystem; NaN when unknown. */
    private final ToDoubleFunction<String> healthyPercent;
    private final Continuity continuity;
    private final Map<String, long[]> lastOffered = new HashMap<>();
    private long lastAt;

    CapacityShedder(RoutingTableRef routing, ToDoubleFunction<String> healthyPercent, Continuity continuity,
                    long nowNanos) {
        this.routing = routing;
        this.healthyPercent = healthyPercent;
        this.continuity = continuity;
        this.lastAt = nowNanos;
    }

    @Override
    public void run() {
        sample(System.nanoTime());
    }

    void sample(long nowNanos) {
        double seconds = (nowNanos - lastAt) / 1e9;
        lastAt = nowNanos;
        boolean shedding = continuity.autoShedding();
        Map<String, long[]> seen = new HashMap<>();
        for (Cluster c : routing.current().clusters()) {
            CircuitBreaker breaker = c.breaker();
            if (!breaker.capacityAware()) {
                breaker.capacityTier(RouteConfig.LOWEST_TIER);
                continue;
            }
            long[] now = new long[RouteConfig.LOWEST_TIER + 1];
            for (int tier = 0; tier < now.length; tier++) {
                now[tier] = breaker.offered(tier);
            }
            seen.put(c.name(), now);
            long[] before = lastOffered.get(c.name());
            double percent = healthyPercent.applyAsDouble(c.name());
            if (before == null || seconds <= 0 || !shedding || Double.isNaN(percent)) {
                breaker.capacityTier(RouteConfig.LOWEST_TIER);
                continue;
            }
            double[] rates = new double[now.length];
            for (int tier = 0; tier < now.length; tier++) {
                rates[tier] = (now[tier] - before[tier]) / seconds;
            }
            double healthy = breaker.totalCapacity() * percent / 100;
            breaker.capacityTier(ShedLadder.admittedTier(rates, healthy, breaker.capacityTier()));
        }
        lastOffered.clear();
        lastOffered.putAll(seen);
    }
}
