package dev.meridian.health;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.OutlierConfig;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Ejects outliers and brings them back: the caps that keep a cluster from being emptied, the backoff (base times
 * the number of ejections, capped), and the probe an endpoint must pass before it returns with slow start. Control
 * thread only.
 */
final class Ejector {
    private final CurrentTable table;
    private final EligibilityPublisher publisher;
    private final ControlThread control;
    private final NanoClock clock;
    private final Prober prober;
    /** When each endpoint last came back; an endpoint trusted for a full max ejection time starts its backoff over. */
    private final Map<EndpointState, Long> returnedAt = new IdentityHashMap<>();

    Ejector(CurrentTable table, EligibilityPublisher publisher, ControlThread control, NanoClock clock,
            Prober prober) {
        this.table = table;
        this.publisher = publisher;
        this.control = control;
        this.clock = clock;
        this.prober = prober;
    }

    /**
     * Ejects the endpoint if its cluster's caps allow.
     *
     * @param firstFailureNanos start of the failure run, for the event's detection time, or -1
     * @return whether it was ejected
     */
    boolean considerEjection(EndpointState endpoint, String cause, long firstFailureNanos) {
        Cluster cluster = table.clusterOf(endpoint);
        if (cluster == null || endpoint.health().ejected() || !allowed(cluster, endpoint)) {
            return false;
        }
        OutlierConfig outlier = cluster.config().outlier();
        long now = clock.nanoTime();
        Long back = returnedAt.remove(endpoint);
        if (back != null && now - back >= outlier.maxEjectionTime().toNanos()) {
            endpoint.health().resetEjectionCount();
        }
        publisher.change(endpoint, cause, firstFailureNanos, h -> h.eject());
        scheduleEnd(endpoint, outlier);
        return true;
    }

    /**
     * The max-ejection-percent cap, and never the last endpoints taking traffic; {@code alwaysEjectOne} lets one
     * endpoint go regardless.
     */
    private static boolean allowed(Cluster cluster, EndpointState candidate) {
        OutlierConfig outlier = cluster.config().outlier();
        int total = cluster.endpoints().size();
        int ejected = 0;
        int othersServing = 0;
        for (EndpointState s : cluster.endpoints()) {
            if (s.health().ejected()) {
                ejected++;
            } else if (s != candidate && s.status().takesTraffic()) {
                othersServing++;
            }
        }
        if (outlier.alwaysEjectOne() && ejected == 0) {
            return true;
        }
        return (ejected + 1) * 100L <= (long) outlier.maxEjectionPercent() * total && othersServing > 0;
    }

    /** How long the n-th ejection lasts: base times n, capped. */
    static long ejectionNanos(OutlierConfig outlier, int ejectionCount) {
        long base = outlier.baseEjectionTime().toNanos();
        long max = outlier.maxEjectionTime().toNanos();
        return Math.min(max, base * Math.max(1, ejectionCount));
    }

    private void scheduleEnd(EndpointState endpoint, OutlierConfig outlier) {
        int generation = endpoint.health().ejectionCount();
        control.schedule(() -> ejectionEnded(endpoint, generation),
                ejectionNanos(outlier, generation));
    }

    private void ejectionEnded(EndpointState endpoint, int generation) {
        Cluster cluster = table.clusterOf(endpoint);
        if (cluster == null || !endpoint.health().ejected() || endpoint.health().ejectionCount() != generation) {
            return;
        }
        ClusterConfig config = cluster.config();
        prober.probe(endpoint, config, passed -> control.execute(() -> probed(endpoint, generation, passed)));
    }

    private void probed(EndpointState endpoint, int generation, Boolean passed) {
        Cluster cluster = table.clusterOf(endpoint);
        if (cluster == null || !endpoint.health().ejected() || endpoint.health().ejectionCount() != generation) {
            return;
        }
        long now = clock.nanoTime();
        if (Boolean.TRUE.equals(passed)) {
            publisher.change(endpoint, "ejection ended, probe passed", -1, h -> {
                h.unEject();
                h.startSlowStart(now);
            });
            returnedAt.put(endpoint, now);
        } else {
            // Still failing: another, longer period out, with no event since its status does not change.
            publisher.change(endpoint, "ejection ended, probe failed", -1, h -> h.eject());
            scheduleEnd(endpoint, cluster.config().outlier());
        }
    }
}
