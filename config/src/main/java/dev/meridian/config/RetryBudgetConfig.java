package dev.meridian.config;

/**
 * Retries (and hedges) in flight to a cluster stay within {@code percent} of its active requests, but
 * {@code minConcurrent} are always allowed, so retries never multiply an outage.
 */
public record RetryBudgetConfig(int percent, int minConcurrent) {
    public static final RetryBudgetConfig DEFAULT = new RetryBudgetConfig(20, 3);
}
