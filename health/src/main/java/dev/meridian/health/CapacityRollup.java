package dev.meridian.health;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.StatusThresholds;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.RoutingTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Healthy capacity of clusters and regions. An endpoint's capacity is its {@code capacity} when given, else its
 * weight; the healthy part is that scaled by effective weight over configured weight, so DEGRADED and warming
 * endpoints count in part. Reads only volatile state: safe on any thread.
 */
final class CapacityRollup {
    private CapacityRollup() {
    }

    static CapacityHealth cluster(Cluster c, long nowNanos) {
        double[] sums = new double[2];
        add(c, nowNanos, sums, null);
        return of(c.name(), sums, c.config().statusThresholds());
    }

    /**
     * Every region that has endpoints, in config order. A region spans clusters whose weights need not share a
     * scale, so each endpoint counts as its share of its own cluster's capacity; regions use the default thresholds,
     * since the config declares none for them.
     */
    static List<CapacityHealth> regions(RoutingTable table, long nowNanos) {
        Map<String, double[]> byRegion = new LinkedHashMap<>();
        table.config().regions().forEach(r -> byRegion.put(r.name(), new double[2]));
        for (Cluster c : table.clusters()) {
            double[] clusterSums = new double[2];
            add(c, nowNanos, clusterSums, null);
            if (clusterSums[1] > 0) {
                add(c, nowNanos, null, (region, healthy, total) -> {
                    double[] r = byRegion.computeIfAbsent(region, k -> new double[2]);
                    r[0] += healthy / clusterSums[1];
                    r[1] += total / clusterSums[1];
                });
            }
        }
        return byRegion.entrySet().stream().filter(e -> e.getValue()[1] > 0)
                .map(e -> of(e.getKey(), e.getValue(), StatusThresholds.DEFAULT)).toList();
    }

    private interface RegionSink {
        void add(String region, double healthy, double total);
    }

    private static void add(Cluster c, long nowNanos, double[] sums, RegionSink regions) {
        ClusterConfig cc = c.config();
        List<EndpointState> states = c.endpoints();
        for (int i = 0; i < states.size(); i++) {
            EndpointConfig e = cc.endpoints().get(i);
            if (e.weight() <= 0) {
                continue;
            }
            double total = e.capacity() > 0 ? e.capacity() : e.weight();
            double healthy = total * states.get(i).health().effectiveWeight(e.weight(), nowNanos, cc) / e.weight();
            if (sums != null) {
                sums[0] += healthy;
                sums[1] += total;
            }
            if (regions != null) {
                regions.add(e.region(), healthy, total);
            }
        }
    }

    private static CapacityHealth of(String name, double[] sums, StatusThresholds thresholds) {
        double percent = sums[1] <= 0 ? 0 : Math.min(100, sums[0] * 100 / sums[1]);
        return new CapacityHealth(name, CapacityStatus.of(percent, thresholds), percent);
    }
}
