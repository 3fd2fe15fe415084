package dev.meridian.config;

/**
 * How traffic spreads over priority levels (as Envoy's): a level with healthy share h takes
 * min(100%, h x overprovisioningFactor) of what is left; below {@code panicThresholdPercent} healthy, a level routes
 * to all its endpoints, healthy or not, rather than overload the few left (0 disables panic mode).
 */
public record PriorityConfig(double overprovisioningFactor, int panicThresholdPercent) {
    public static final PriorityConfig DEFAULT = new PriorityConfig(1.4, 50);
}
