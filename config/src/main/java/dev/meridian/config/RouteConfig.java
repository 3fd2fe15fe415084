package dev.meridian.config;

import java.util.List;

/**
 * A route: what requests it matches and where they go. Exactly one of {@code cluster} and {@code split} is set
 * (the other is null / empty).
 */
public record RouteConfig(String name, RouteMatch match, String cluster, List<WeightedCluster> split,
                          TimeoutsConfig timeouts, RetryConfig retries) {
    public RouteConfig {
        split = split == null ? List.of() : List.copyOf(split);
        retries = retries == null ? RetryConfig.DEFAULT : retries;
    }

    /** A route with the default retry policy. */
    public RouteConfig(String name, RouteMatch match, String cluster, List<WeightedCluster> split,
                       TimeoutsConfig timeouts) {
        this(name, match, cluster, split, timeouts, null);
    }
}
