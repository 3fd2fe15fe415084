package dev.meridian.routing;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.OutlierConfig;
import dev.meridian.config.SlowStartConfig;
import java.util.Objects;

/**
 * Every input to an endpoint's status, each from its own source: the admin port, active checks, outlier detection.
 * Written only by the health control thread, so plain volatile fields are enough; read by any thread. The status is
 * derived on read rather than stored, so no source can overwrite another's verdict.
 */
public final class EndpointHealth {
    /** Marks "no slow start recorded"; any real clock reading is larger. */
    private static final long NEVER = Long.MIN_VALUE;
    /** When a cluster declares no latency detector, a DEGRADED endpoint still keeps a share of its weight. */
    private static final int DEFAULT_DEGRADED_PERCENT = 25;
    /** {@link #weightOverride()} when the admin port has not set one: the configured weight applies. */
    public static final int NO_WEIGHT_OVERRIDE = -1;

    private volatile AdminState adminState = AdminState.ACTIVE;
    private volatile boolean checkFailing;
    private volatile boolean ejected;
    private volatile int ejectionCount;
    private volatile boolean degraded;
    private volatile long slowStartSince = NEVER;
    /** Set while a failover shift involves this endpoint; scales picks, never its status or health. */
    private volatile TrafficShift shift;
    private volatile int weightOverride = NO_WEIGHT_OVERRIDE;

    EndpointHealth() {
    }

    /** Precedence: MAINTENANCE, DRAINING, EJECTED, UNHEALTHY, DEGRADED, HEALTHY. */
    public EndpointStatus status() {
        AdminState admin = adminState;
        if (admin == AdminState.MAINTENANCE) {
            return EndpointStatus.MAINTENANCE;
        }
        if (admin == AdminState.DRAINING) {
            return EndpointStatus.DRAINING;
        }
        if (ejected) {
            return EndpointStatus.EJECTED;
        }
        if (checkFailing) {
            return EndpointStatus.UNHEALTHY;
        }
        return degraded ? EndpointStatus.DEGRADED : EndpointStatus.HEALTHY;
    }

    /**
     * The weight pickers use: {@code configuredWeight}, cut to the degraded share when DEGRADED and by the slow-start
     * ramp, at least 1 while the endpoint takes traffic (so a ramp never silently removes it), 0 when it does not.
     */
    public int effectiveWeight(int configuredWeight, long nowNanos, ClusterConfig cluster) {
        EndpointStatus s = status();
        int weight = weight(configuredWeight);
        if (!s.takesTraffic() || weight <= 0) {
            return 0;
        }
        double w = weight * rampFactor(nowNanos, cluster.slowStart());
        if (s == EndpointStatus.DEGRADED) {
            w = w * degradedPercent(cluster.outlier()) / 100.0;
        }
        return (int) Math.max(1, Math.round(w));
    }

    /**
     * The weight that counts as healthy capacity for priority spill-over and panic: as {@link #effectiveWeight} but
     * without the slow-start ramp, since a warming endpoint is there, only not yet to be loaded fully.
     */
    public int healthyWeight(int configuredWeight, ClusterConfig cluster) {
        EndpointStatus s = status();
        int weight = weight(configuredWeight);
        if (!s.takesTraffic() || weight <= 0) {
            return 0;
        }
        if (s == EndpointStatus.DEGRADED) {
            return (int) Math.max(1, Math.round(weight * degradedPercent(cluster.outlier()) / 100.0));
        }
        return weight;
    }

    /** The admin port's weight when set, else the configured one; before status, degradation and slow start. */
    public int weight(int configuredWeight) {
        int override = weightOverride;
        return override == NO_WEIGHT_OVERRIDE ? configuredWeight : override;
    }

    /** Whether the slow-start ramp is still under way at {@code nowNanos}. */
    public boolean inSlowStart(long nowNanos, SlowStartConfig slowStart) {
        long since = slowStartSince;
        return since != NEVER && nowNanos - since < slowStart.window().toNanos();
    }

    private double rampFactor(long nowNanos, SlowStartConfig slowStart) {
        long since = slowStartSince;
        long window = slowStart.window().toNanos();
        if (since == NEVER || window <= 0) {
            return 1.0;
        }
        long elapsed = Math.max(0, nowNanos - since);
        if (elapsed >= window) {
            return 1.0;
        }
        double floor = slowStart.floorPercent() / 100.0;
        return floor + (1.0 - floor) * elapsed / window;
    }

    private static int degradedPercent(OutlierConfig outlier) {
        return outlier.latency() == null ? DEFAULT_DEGRADED_PERCENT : outlier.latency().degradedWeightPercent();
    }

    public AdminState adminState() {
        return adminState;
    }

    /** Set by the admin port, through the health control thread so the change is republished. */
    public void adminState(AdminState state) {
        adminState = Objects.requireNonNull(state, "state");
    }

    /** The operator's weight (0 takes the endpoint out of rotation), or {@link #NO_WEIGHT_OVERRIDE}. */
    public int weightOverride() {
        return weightOverride;
    }

    /**
     * Set by the admin port, through the health control thread so the change is republished. Only an endpoint with a
     * configured weight above 0 takes part in balancing, so an override cannot bring a weight-0 endpoint in.
     */
    public void weightOverride(int weight) {
        if (weight < 0 && weight != NO_WEIGHT_OVERRIDE) {
            throw new IllegalArgumentException("weight override: " + weight
                    + " (expected: >= 0, or NO_WEIGHT_OVERRIDE)");
        }
        weightOverride = weight;
    }

    public boolean checkFailing() {
        return checkFailing;
    }

    public void checkFailing(boolean failing) {
        checkFailing = failing;
    }

    public boolean ejected() {
        return ejected;
    }

    /** Ejects the endpoint and counts the ejection; the count sets the next ejection's length. */
    public void eject() {
        ejectionCount = ejectionCount + 1;
        ejected = true;
    }

    public void unEject() {
        ejected = false;
    }

    /** Ejections so far; lengthens each next ejection. */
    public int ejectionCount() {
        return ejectionCount;
    }

    /** Forgets past ejections, once an endpoint has stayed in rotation long enough to be trusted again. */
    public void resetEjectionCount() {
        ejectionCount = 0;
    }

    public boolean degraded() {
        return degraded;
    }

    public void degraded(boolean value) {
        degraded = value;
    }

    /** Starts the weight ramp at {@code nowNanos}: the endpoint just came back. */
    public void startSlowStart(long nowNanos) {
        slowStartSince = nowNanos;
    }

    /** This endpoint's part in a running failover shift, or null. */
    public TrafficShift shift() {
        return shift;
    }

    /**
     * Sets (or, with null, clears) this endpoint's part in a failover shift. It changes how the eligible set shares
     * traffic, not the endpoint's status, weights or healthy capacity, so a shift never makes a region look failed.
     * Through the health control thread, which republishes the cluster.
     */
    public void shift(TrafficShift value) {
        shift = value;
    }
}
