package dev.meridian.health;

import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointHealth;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.EndpointStatus;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The one funnel from every status source (outlier detection, active checks, the admin port) to the cluster's
 * eligible set. A change that takes an endpoint out of rotation is published at once, in the same control task; a
 * recovery or a weight change waits out a short merge window so a burst of them costs one rebuild. While an
 * endpoint ramps in slow start its cluster is republished periodically until the ramp ends. Control thread only.
 */
final class EligibilityPublisher {
    static final long DEFAULT_MERGE_WINDOW_NANOS = 20_000_000L;
    static final long DEFAULT_RAMP_TICK_NANOS = 250_000_000L;

    private final CurrentTable table;
    private final ControlThread control;
    private final NanoClock clock;
    private final HealthLog log;
    private final long mergeWindowNanos;
    private final long rampTickNanos;
    private final Set<String> pending = new LinkedHashSet<>();
    private final Set<String> ramping = new LinkedHashSet<>();
    private boolean mergeArmed;
    private boolean rampArmed;

    EligibilityPublisher(CurrentTable table, ControlThread control, NanoClock clock, HealthLog log,
                         long mergeWindowNanos, long rampTickNanos) {
        this.table = table;
        this.control = control;
        this.clock = clock;
        this.log = log;
        this.mergeWindowNanos = mergeWindowNanos;
        this.rampTickNanos = rampTickNanos;
    }

    /**
     * Applies {@code change} to the endpoint's health inputs, publishes the result and records the transition.
     *
     * @param firstFailureNanos when the failure that led here was first seen, for the event's detection time; or -1
     * @return the status after the change, or null when the endpoint is no longer in the table
     */
    EndpointStatus change(EndpointState endpoint, String cause, long firstFailureNanos,
                          Consumer<EndpointHealth> change) {
        Cluster cluster = table.clusterOf(endpoint);
        if (cluster == null) {
            return null;
        }
        EndpointStatus from = endpoint.status();
        change.accept(endpoint.health());
        EndpointStatus to = endpoint.status();
        if (!to.takesTraffic()) {
            cluster.republish(clock.nanoTime());
        } else {
            republishSoon(cluster);
        }
        if (endpoint.health().inSlowStart(clock.nanoTime(), cluster.config().slowStart())) {
            ramp(cluster);
        }
        if (from != to) {
            long detection = to == EndpointStatus.EJECTED && firstFailureNanos != -1
                    ? Math.max(0, clock.nanoTime() - firstFailureNanos) : -1;
            log.record(new HealthEvent(clock.currentTimeMillis(), endpoint.id(), cluster.name(), from, to, cause,
                    detection));
        }
        return to;
    }

    /** Publishes every cluster of the current table now: after a reload, whose build may have raced a change. */
    void republishAll() {
        long now = clock.nanoTime();
        for (Cluster c : table.table().clusters()) {
            c.republish(now);
            for (EndpointState s : c.endpoints()) {
                if (s.health().inSlowStart(now, c.config().slowStart())) {
                    ramp(c);
                    break;
                }
            }
        }
    }

    private void republishSoon(Cluster cluster) {
        pending.add(cluster.name());
        if (!mergeArmed) {
            mergeArmed = true;
            control.schedule(this::flushPending, mergeWindowNanos);
        }
    }

    private void flushPending() {
        mergeArmed = false;
        long now = clock.nanoTime();
        for (String name : pending) {
            Cluster c = table.cluster(name);
            if (c != null) {
                c.republish(now);
            }
        }
        pending.clear();
    }

    private void ramp(Cluster cluster) {
        ramping.add(cluster.name());
        if (!rampArmed) {
            rampArmed = true;
            control.schedule(this::rampTick, rampTickNanos);
        }
    }

    private void rampTick() {
        long now = clock.nanoTime();
        ramping.removeIf(name -> {
            Cluster c = table.cluster(name);
            if (c == null) {
                return true;
            }
            c.republish(now);
            return c.endpoints().stream().noneMatch(s -> s.health().inSlowStart(now, c.config().slowStart()));
        });
        rampArmed = !ramping.isEmpty();
        if (rampArmed) {
            control.schedule(this::rampTick, rampTickNanos);
        }
    }
}
