package dev.meridian.health;

import dev.meridian.config.StatusThresholds;

/** A cluster's or region's status from the share of its capacity that is healthy. */
public enum CapacityStatus {
    HEALTHY,
    DEGRADED,
    CRITICAL,
    FAILED;

    /** The status of {@code healthyPercent} under {@code t}: each threshold is inclusive. */
    public static CapacityStatus of(double healthyPercent, StatusThresholds t) {
        if (healthyPercent >= t.healthyPercent()) {
            return HEALTHY;
        }
        if (healthyPercent >= t.degradedPercent()) {
            return DEGRADED;
        }
        return healthyPercent >= t.criticalPercent() ? CRITICAL : FAILED;
    }
}
