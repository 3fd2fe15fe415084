package dev.meridian.config;

/**
 * One arm of a weighted split between clusters. Weight 0..10000.
 */
public record WeightedCluster(String cluster, int weight) {
}
