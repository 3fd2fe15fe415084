package dev.meridian.config;

import java.util.List;

/**
 * A named set of endpoints with one balancing policy.
 */
public record ClusterConfig(String name, Policy policy, PoolConfig pool, List<EndpointConfig> endpoints) {
    public ClusterConfig {
        endpoints = List.copyOf(endpoints);
    }
}
