package dev.meridian.config;

import java.util.List;

/**
 * A route: what requests it matches and where they go. Exactly one of {@code cluster} and {@code split} is set
 * (the other is null / empty).
 *
 * @param residency      data-residency rules; null: none
 * @param score          the weights of a {@code score} cluster's cost for this route's requests
 * @param decisionHeader whether responses carry {@code x-meridian-decision}, a short form of the routing decision
 * @param tier           the service tier, 0 (critical) to 4 (lowest): which continuity levels serve the route and
 *                       in which order automatic shedding drops it (highest tier first)
 * @param accessLogSample the share of the route's requests the access log writes a line for, 0.0 to 1.0
 * @param maxBodyBytes   the route's request body limit (larger bodies get 413), above or below the server's;
 *                       {@link #SERVER_BODY_LIMIT}: the server's {@code max_body_size}
 * @param tunnels        whether WebSocket upgrades and CONNECT become tunnels, and their idle timeout
 */
public record RouteConfig(String name, RouteMatch match, String cluster, List<WeightedCluster> split,
                          TimeoutsConfig timeouts, RetryConfig retries, ResidencyConfig residency,
                          ScoreWeights score, boolean decisionHeader, int tier, double accessLogSample,
                          long maxBodyBytes, TunnelsConfig tunnels) {
    /** The most critical tier: never shed automatically, served by every continuity level but halt. */
    public static final int CRITICAL_TIER = 0;
    public static final int LOWEST_TIER = 4;
    /**
     * A route without a tier is in the middle: an operator who labels some routes low expects those to go before
     * the unlabelled ones, and the ones labelled critical or 1 to stay after them.
     */
    public static final int DEFAULT_TIER = 2;
    /** A route without a body limit of its own takes the server's. */
    public static final long SERVER_BODY_LIMIT = 0;

    public RouteConfig {
        if (tier < CRITICAL_TIER || tier > LOWEST_TIER) {
            throw new IllegalArgumentException("tier: " + tier + " (expected: 0..4)");
        }
        if (!(accessLogSample >= 0 && accessLogSample <= 1)) {
            throw new IllegalArgumentException("accessLogSample: " + accessLogSample + " (expected: 0.0..1.0)");
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: >= 0)");
        }
        split = split == null ? List.of() : List.copyOf(split);
        retries = retries == null ? RetryConfig.DEFAULT : retries;
        score = score == null ? ScoreWeights.DEFAULT : score;
        tunnels = tunnels == null ? TunnelsConfig.DEFAULT : tunnels;
    }

    /** A route with the default tunnels. */
    public RouteConfig(String name, RouteMatch match, String cluster, List<WeightedCluster> split,
                       TimeoutsConfig timeouts, RetryConfig retries, ResidencyConfig residency,
                       ScoreWeights score, boolean decisionHeader, int tier, double accessLogSample,
                       long maxBodyBytes) {
        this(name, match, cluster, split, timeouts, retries, residency, score, decisionHeader, tier, accessLogSample,
                maxBodyBytes, TunnelsConfig.DEFAULT);
    }

    /** A route with the server's body limit. */
    public RouteConfig(String name, RouteMatch match, String cluster, List<WeightedCluster> split,
                       TimeoutsConfig timeouts, RetryConfig retries, ResidencyConfig residency,
                       ScoreWeights score, boolean decisionHeader, int tier, double accessLogSample) {
        this(name, match, cluster, split, timeouts, retries, residency, score, decisionHeader, tier, accessLogSample,
                SERVER_BODY_LIMIT);
    }

    /** A route whose requests are all logged. */
    public RouteConfig(String name, RouteMatch match, String cluster, List<WeightedCluster> split,
                       TimeoutsConfig timeouts, RetryConfig retries, ResidencyConfig residency,
                       ScoreWeights score, boolean decisionHeader, int tier) {
        this(name, match, cluster, split, timeouts, retries, residency, score, decisionHeader, tier, 1.0);
    }

    /** A route of the default tier. */
    public RouteConfig(String name, RouteMatch match, String cluster, List<WeightedCluster> split,
                       TimeoutsConfig timeouts, RetryConfig retries, ResidencyConfig residency,
                       ScoreWeights score, boolean decisionHeader) {
        this(name, match, cluster, split, timeouts, retries, residency, score, decisionHeader, DEFAULT_TIER);
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
