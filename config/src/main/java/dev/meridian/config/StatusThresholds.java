package dev.meridian.config;

/**
 * Region and cluster status from healthy capacity: HEALTHY at or above {@code healthyPercent}, DEGRADED at or above
 * {@code degradedPercent}, CRITICAL at or above {@code criticalPercent}, FAILED below.
 */
public record StatusThresholds(int healthyPercent, int degradedPercent, int criticalPercent) {
    public static final StatusThresholds DEFAULT = new StatusThresholds(95, 80, 50);
}
