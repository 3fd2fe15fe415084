package dev.meridian.health;

/**
 * A cluster's or region's health as the admin port and metrics show it.
 *
 * @param name           the cluster or region
 * @param healthyPercent healthy capacity over configured capacity, 0..100 (0 when nothing is configured)
 */
public record CapacityHealth(String name, CapacityStatus status, double healthyPercent) {
}
