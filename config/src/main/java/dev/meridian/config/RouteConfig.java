package dev.meridian.config;

import java.util.List;

/**
 * A route: what requests it matches and where they go. Exactly one of {@code cluster} and {@code split} is set
 * (the other is null / empty).
 */
public record RouteConfig(String name, RouteMatch match, String cluster, List<WeightedCluster> split,
                          TimeoutsConfig timeouts) {
    public RouteConfig {
        split = split == null ? List.of() : List.copyOf(split);
    }
}
