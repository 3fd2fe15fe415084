package dev.meridian.config;

import java.util.List;

/**
 * A named set of endpoints with one balancing policy, and how their health is judged.
 *
 * @param healthCheck active checks; null: none (passive outlier detection only)
 * @param hash        the key of a {@code ring_hash} or {@code maglev} cluster (default: client IP)
 * @param geo         how a {@code geo} cluster picks (default: weighted within the nearest region, spill on FAILED)
 * @param failover    shifts declared to start by themselves when a region fails; empty: none
 * @param circuitBreaker the cluster's absolute limits (default: Envoy's, 1024 / 1024 / 1024 / 3)
 */
public record ClusterConfig(String name, Policy policy, PoolConfig pool, List<EndpointConfig> endpoints,
                            HealthCheckConfig healthCheck, OutlierConfig outlier, SlowStartConfig slowStart,
                            PriorityConfig priority, StatusThresholds statusThresholds,
                            RetryBudgetConfig retryBudget, HashConfig hash, GeoPolicyConfig geo,
                            List<FailoverConfig> failover, CircuitBreakerConfig circuitBreaker) {
    /** A cluster with no declared failover and the default circuit breaker. */
    public ClusterConfig(String name, Policy policy, PoolConfig pool, List<EndpointConfig> endpoints,
                         HealthCheckConfig healthCheck, OutlierConfig outlier, SlowStartConfig slowStart,
                         PriorityConfig priority, StatusThresholds statusThresholds, RetryBudgetConfig retryBudget,
                         HashConfig hash, GeoPolicyConfig geo) {
        this(name, policy, pool, endpoints, healthCheck, outlier, slowStart, priority, statusThresholds, retryBudget,
                hash, geo, List.of(), null);
    }

    public ClusterConfig(String name, Policy policy, PoolConfig pool, List<EndpointConfig> endpoints,
                         HealthCheckConfig healthCheck, OutlierConfig outlier, SlowStartConfig slowStart,
                         PriorityConfig priority, StatusThresholds statusThresholds, RetryBudgetConfig retryBudget) {
        this(name, policy, pool, endpoints, healthCheck, outlier, slowStart, priority, statusThresholds, retryBudget,
                null, null);
    }

    /** A cluster with declared failovers and the default circuit breaker. */
    public ClusterConfig(String name, Policy policy, PoolConfig pool, List<EndpointConfig> endpoints,
                         HealthCheckConfig healthCheck, OutlierConfig outlier, SlowStartConfig slowStart,
                         PriorityConfig priority, StatusThresholds statusThresholds, RetryBudgetConfig retryBudget,
                         HashConfig hash, GeoPolicyConfig geo, List<FailoverConfig> failover) {
        this(name, policy, pool, endpoints, healthCheck, outlier, slowStart, priority, statusThresholds, retryBudget,
                hash, geo, failover, null);
    }

    public ClusterConfig {
        circuitBreaker = circuitBreaker == null ? CircuitBreakerConfig.DEFAULT : circuitBreaker;
        hash = hash == null ? HashConfig.CLIENT_IP : hash;
        geo = geo == null ? GeoPolicyConfig.DEFAULT : geo;
        endpoints = List.copyOf(endpoints);
        failover = failover == null ? List.of() : List.copyOf(failover);
        outlier = outlier == null ? OutlierConfig.DEFAULT : outlier;
        slowStart = slowStart == null ? SlowStartConfig.DEFAULT : slowStart;
        priority = priority == null ? PriorityConfig.DEFAULT : priority;
        statusThresholds = statusThresholds == null ? StatusThresholds.DEFAULT : statusThresholds;
        retryBudget = retryBudget == null ? RetryBudgetConfig.DEFAULT : retryBudget;
    }

    /** A cluster with no active checks and every health setting at its default. */
    public ClusterConfig(String name, Policy policy, PoolConfig pool, List<EndpointConfig> endpoints) {
        this(name, policy, pool, endpoints, null, null, null, null, null, null);
    }
}
