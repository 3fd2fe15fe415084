package dev.meridian.proxy.admin;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.RouteConfig;
import dev.meridian.config.WeightedCluster;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.Route;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.balance.PriorityLoad;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * What-if: where each route's traffic would go if some regions failed, and whether the capacity left covers the
 * current demand. Reads the live table (statuses and weights as they are now, the failed regions' endpoints taken as
 * down) and changes nothing. Spill-over between priority levels follows the balancer's rule (a level keeps the share
 * its health allows, health = overprovisioning factor x healthy weight / configured weight, capped at 100%).
 */
final class Simulator {
    private final ToDoubleFunction<String> rps;

    /** @param rps an endpoint's current requests per second, by id */
    Simulator(ToDoubleFunction<String> rps) {
        this.rps = rps;
    }

    Map<String, Object> simulate(RoutingTable table, Set<String> failed) {
        Map<String, Map<String, Object>> clusters = new TreeMap<>();
        for (Cluster c : table.clusters()) {
            clusters.put(c.name(), cluster(c, failed));
        }
        List<Map<String, Object>> routes = new ArrayList<>();
        boolean allCovered = true;
        boolean anyUnknown = false;
        for (Route r : table.routes()) {
            RouteConfig rc = r.config();
            List<Map<String, Object>> targets = new ArrayList<>();
            if (rc.split().isEmpty()) {
                targets.add(Json.obj("cluster", rc.cluster(), "route_share_percent", 100.0));
            } else {
                int total = rc.split().stream().mapToInt(WeightedCluster::weight).sum();
                for (WeightedCluster w : rc.split()) {
                    targets.add(Json.obj("cluster", w.cluster(),
                            "route_share_percent", total == 0 ? 0.0 : round1(w.weight() * 100.0 / total)));
                }
            }
            boolean routeCovered = true;
            boolean routeUnknown = false;
            for (Map<String, Object> t : targets) {
                Map<String, Object> sim = clusters.get((String) t.get("cluster"));
                t.putAll(sim);
                Object covered = sim.get("covered");
                routeCovered &= !Boolean.FALSE.equals(covered);
                routeUnknown |= covered == null;
            }
            allCovered &= routeCovered;
            anyUnknown |= routeUnknown;
            routes.add(Json.obj("route", r.name(), "covered", routeCovered && !routeUnknown ? Boolean.TRUE
                    : routeCovered ? null : Boolean.FALSE, "clusters", targets));
        }
        return Json.obj("failed_regions", List.copyOf(new java.util.TreeSet<>(failed)),
                "covered", allCovered && !anyUnknown ? Boolean.TRUE : allCovered ? null : Boolean.FALSE,
                "note", "demand is each cluster's request rate now; 'covered' null means some endpoint that would take"
                        + " traffic declares no capacity",
                "routes", routes);
    }

    private Map<String, Object> cluster(Cluster c, Set<String> failed) {
        ClusterConfig cc = c.config();
        List<EndpointState> states = c.endpoints();
        TreeMap<Integer, long[]> levels = new TreeMap<>();   // priority -> {configured, healthy}
        double[] healthy = new double[states.size()];
        for (int i = 0; i < states.size(); i++) {
            EndpointConfig e = cc.endpoints().get(i);
            if (e.weight() <= 0) {
                continue;
            }
            long[] sums = levels.computeIfAbsent(e.priority(), p -> new long[2]);
            sums[0] += e.weight();
            if (!failed.contains(e.region())) {
                healthy[i] = states.get(i).health().healthyWeight(e.weight(), cc);
                sums[1] += (long) healthy[i];
            }
        }
        List<Integer> priorities = new ArrayList<>(levels.keySet());
        int[] health = new int[priorities.size()];
        for (int l = 0; l < health.length; l++) {
            long[] sums = levels.get(priorities.get(l));
            health[l] = PriorityLoad.health(sums[1], sums[0], cc.priority().overprovisioningFactor());
        }
        int[] load = PriorityLoad.distribute(health);
        double demand = 0;
        for (EndpointState s : states) {
            demand += rps.applyAsDouble(s.id());
        }
        List<Map<String, Object>> endpoints = new ArrayList<>();
        List<Map<String, Object>> levelViews = new ArrayList<>();
        double capacity = 0;
        boolean capacityKnown = true;
        boolean served = false;
        for (int l = 0; l < priorities.size(); l++) {
            int priority = priorities.get(l);
            levelViews.add(Json.obj("priority", priority, "health_percent", health[l], "load_percent", load[l]));
            long levelHealthy = levels.get(priority)[1];
            for (int i = 0; i < states.size(); i++) {
                EndpointConfig e = cc.endpoints().get(i);
                if (e.priority() != priority || healthy[i] <= 0 || load[l] == 0) {
                    continue;
                }
                double share = load[l] * healthy[i] / levelHealthy;
                served = true;
                if (e.capacity() > 0) {
                    capacity += e.capacity();
                } else {
                    capacityKnown = false;
                }
                endpoints.add(Json.obj("id", e.id(), "region", e.region(), "priority", priority,
                        "share_percent", round1(share), "projected_rps", round1(demand * share / 100),
                        "capacity", e.capacity() > 0 ? e.capacity() : null));
            }
        }
        Boolean covered = !served ? Boolean.valueOf(demand == 0) : !capacityKnown ? null
                : Boolean.valueOf(capacity >= demand);
        return Json.obj("policy", cc.policy().yamlName(),
                "unserved", !served,
                "levels", levelViews,
                "endpoints", endpoints,
                "demand_rps", round1(demand),
                "capacity_rps", served && capacityKnown ? capacity : null,
                "covered", covered,
                "note", cc.policy() == Policy.GEO ? "geo: each client goes to its nearest surviving region;"
                        + " the shares are the cluster-wide split by weight" : null);
    }

    private static double round1(double d) {
        return Math.round(d * 10) / 10.0;
    }
}
