package dev.meridian.config;

/**
 * Weights of a {@code score} cluster's cost, per route: cost = latency × Peak-EWMA in ms + load × requests in flight
 * + errors × recent error percentage + distance × great-circle distance in 1,000 km + cost × the endpoint's
 * configured {@code cost}. The lowest cost wins; every weight is &ge; 0.
 */
public record ScoreWeights(double latency, double load, double errors, double distance, double cost) {
    public static final ScoreWeights DEFAULT = new ScoreWeights(1, 1, 1, 1, 1);
}
