package dev.meridian.config;

import java.util.List;

/**
 * A route: what requests it matches and where they go. Exactly one of {@code cluster} and {@code split} is set
 * (the other is null / empty).
 *
 * @param residency      data-residency rules; null: none
 * @param score          the weights of a {@code score} cluster's cost for this route's requests
 * @param decisionHeader whether responses carry {@code x-meridian-decision}, a short form of the routing decision
 */
public record RouteConfig(String name, RouteMatch match, String cluster, List<WeightedCluster> split,
                          TimeoutsConfig timeouts, RetryConfig retries, ResidencyConfig residency,
                          ScoreWeights score, boolean decisionHeader) {
    public RouteConfig {
        split = split == null ? List.of() : List.copyOf(split);
        retries = retries == null ? RetryConfig.DEFAULT : retries;
        score = score == null ? ScoreWeights.DEFAULT : score;
    }

    /** A route with no residency rules, default score weights and no decision header. */
    public RouteConfig(String name, RouteMatch match, String cluster, List<WeightedCluster> split,
                       TimeoutsConfig timeouts, RetryConfig retries) {
        this(name, match, cluster, split, timeouts, retries, null, null, false);
    }

    /** A route with the default retry policy. */
    public RouteConfig(String name, RouteMatch match, String cluster, List<WeightedCluster> split,
                       TimeoutsConfig timeouts) {
        this(name, match, cluster, split, timeouts, null);
    }
}
