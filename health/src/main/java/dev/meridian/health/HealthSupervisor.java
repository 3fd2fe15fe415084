package dev.meridian.health;

import dev.meridian.health.failover.FailoverController;
import dev.meridian.routing.AdminState;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointHealth;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.OutcomeSink;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.RoutingTableRef;
import java.util.List;
import java.util.Objects;

/**
 * The health subsystem's front door. The data plane reports outcomes to it ({@link OutcomeSink}), active checks
 * report transitions ({@link ActiveCheckListener}), the admin port sets admin states and reads roll-ups and events,
 * the reloader tells it of new tables. Every decision runs on one control thread and reaches the pickers through
 * one funnel, {@link EligibilityPublisher}.
 *
 * <pre>{@code
 * HealthSupervisor health = new HealthSupervisor(tableRef, activeChecks.prober());
 * // per try, on the event loop:  health.responded(endpoint, status, latencyNanos);
 * // after a reload:              tableRef.publish(next); health.tableChanged(next);
 * }</pre>
 */
public final class HealthSupervisor implements OutcomeSink, ActiveCheckListener, AutoCloseable {
    /** How often the windowed detectors are looked at; bounds how late a window is judged. */
    static final long DEFAULT_TICK_NANOS = 100_000_000L;

    private final RoutingTableRef ref;
    private final ControlThread control;
    private final NanoClock clock;
    private final HealthLog log;
    private final CurrentTable table;
    private final EligibilityPublisher publisher;
    private final OutlierDetector detector;
    private final FailoverController failovers;
    private final long tickNanos;
    private volatile boolean closed;

    /** Production wiring: the system clock and a new {@code meridian-health} thread. */
    public HealthSupervisor(RoutingTableRef ref, Prober prober) {
        this(ref, prober, NanoClock.SYSTEM, ControlThread.newSingleThread(), new HealthLog(HealthLog.DEFAULT_CAPACITY),
                EligibilityPublisher.DEFAULT_MERGE_WINDOW_NANOS, EligibilityPublisher.DEFAULT_RAMP_TICK_NANOS,
                DEFAULT_TICK_NANOS);
    }

    /**
     * Full wiring, for tests and embedders.
     *
     * @param mergeWindowNanos how long recoveries and weight changes may wait to be published together
     * @param rampTickNanos    how often a cluster with an endpoint in slow start is republished
     * @param tickNanos        how often windowed detectors are evaluated
     */
    public HealthSupervisor(RoutingTableRef ref, Prober prober, NanoClock clock, ControlThread control, HealthLog log,
                            long mergeWindowNanos, long rampTickNanos, long tickNanos) {
        this.ref = Objects.requireNonNull(ref, "ref");
        this.control = Objects.requireNonNull(control, "control");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = Objects.requireNonNull(log, "log");
        this.tickNanos = tickNanos;
        this.table = new CurrentTable(ref);
        this.publisher = new EligibilityPublisher(table, control, clock, log, mergeWindowNanos, rampTickNanos);
        Ejector ejector = new Ejector(table, publisher, control, clock, Objects.requireNonNull(prober, "prober"));
        this.detector = new OutlierDetector(table, publisher, ejector, control, clock);
        this.failovers = new FailoverController(ref, control, clock, log::record, this::regionHealth);
        control.execute(this::tick);
    }

    private void tick() {
        if (closed) {
            return;
        }
        detector.tick();
        failovers.checkTriggers();
        control.schedule(this::tick, tickNanos);
    }

    @Override
    public void connectFailed(EndpointState endpoint, boolean timedOut) {
        detector.connectFailed(endpoint, timedOut);
    }

    @Override
    public void failedBeforeResponse(EndpointState endpoint) {
        detector.failedBeforeResponse(endpoint);
    }

    @Override
    public void responded(EndpointState endpoint, int status, long headerLatencyNanos) {
        detector.responded(endpoint, status, headerLatencyNanos);
    }

    @Override
    public void checkedHealthy(EndpointState endpoint, String cause) {
        control.execute(() -> {
            if (endpoint.health().checkFailing()) {
                long now = clock.nanoTime();
                publisher.change(endpoint, "active check: " + cause, -1, h -> {
                    h.checkFailing(false);
                    h.startSlowStart(now);
                });
            }
        });
    }

    @Override
    public void checkedUnhealthy(EndpointState endpoint, String cause) {
        control.execute(() -> {
            if (!endpoint.health().checkFailing()) {
                publisher.change(endpoint, "active check: " + cause, -1, h -> h.checkFailing(true));
            }
        });
    }

    /**
     * Sets an endpoint's admin state through the funnel; DRAINING and MAINTENANCE leave rotation at once, ACTIVE
     * returns with slow start. Any thread.
     *
     * @return false when the current table has no endpoint of that id
     */
    public boolean adminState(String endpointId, AdminState state, String cause) {
        Objects.requireNonNull(state, "state");
        EndpointState endpoint = ref.current().endpoint(endpointId);
        if (endpoint == null) {
            return false;
        }
        control.execute(() -> {
            if (endpoint.health().adminState() != state) {
                long now = clock.nanoTime();
                publisher.change(endpoint, "admin: " + cause, -1, h -> {
                    h.adminState(state);
                    if (state == AdminState.ACTIVE) {
                        h.startSlowStart(now);
                    }
                });
            }
        });
        return true;
    }

    /**
     * Sets or clears ({@link EndpointHealth#NO_WEIGHT_OVERRIDE}) an endpoint's admin weight through the funnel; as a
     * weight change, it is published within the merge window. Any thread.
     *
     * @return false when the current table has no endpoint of that id
     */
    public boolean weightOverride(String endpointId, int weight, String cause) {
        EndpointState endpoint = ref.current().endpoint(endpointId);
        if (endpoint == null) {
            return false;
        }
        control.execute(() -> {
            if (endpoint.health().weightOverride() != weight) {
                publisher.change(endpoint, "admin: " + cause, -1, h -> h.weightOverride(weight));
            }
        });
        return true;
    }

    /** A new table was published: republish its clusters from the states it carried over. Any thread. */
    public void tableChanged(RoutingTable next) {
        Objects.requireNonNull(next, "next");
        control.execute(() -> {
            publisher.republishAll();
            detector.tick();
        });
    }

    /** The cluster's status from its healthy capacity, or null when the current table has no such cluster. */
    public CapacityHealth clusterHealth(String name) {
        Cluster c = ref.current().cluster(name);
        return c == null ? null : CapacityRollup.cluster(c, clock.nanoTime());
    }

    /** Every cluster's status, in config order. */
    public List<CapacityHealth> clusterHealth() {
        long now = clock.nanoTime();
        return ref.current().clusters().stream().map(c -> CapacityRollup.cluster(c, now)).toList();
    }

    /** Every region's status from the healthy capacity of its endpoints across clusters. */
    public List<CapacityHealth> regionHealth() {
        return CapacityRollup.regions(ref.current(), clock.nanoTime());
    }

    /** Failover shifts: start, pause, resume, abort and list them (the admin port's {@code /failovers}). */
    public FailoverController failovers() {
        return failovers;
    }

    /** The recent status transitions and failover events, oldest first. */
    public List<HealthEvent> events() {
        return log.snapshot();
    }

    /** The event ring itself, for readers that also want its total count. */
    public HealthLog log() {
        return log;
    }

    @Override
    public void close() {
        closed = true;
        control.close();
    }
}
