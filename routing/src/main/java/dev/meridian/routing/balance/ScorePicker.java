package dev.meridian.routing.balance;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.ScoreWeights;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.geo.ClientLocation;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * {@code score}: power of two choices keeping the lower multi-objective cost, per unit of weight (as
 * {@link LatencyPicker}: a heavier endpoint is expected to carry more before it looks as costly). The cost, with the
 * route's {@link ScoreWeights}, is latency × Peak-EWMA in ms + load × requests in flight + errors × recent error
 * percentage + distance × great-circle distance from the client to the endpoint's region in 1,000 km (0 when the
 * client's location is unknown) + cost × the endpoint's configured {@code cost}.
 *
 * <p>Distances come from the regions' per-location cache, so a pick does no trigonometry for a location seen before;
 * a term whose weight is 0 is not computed at all.
 */
final class ScorePicker implements LevelPicker {
    /** Multiplied rather than divided by: a division is a long wait on the pick's critical path. */
    private static final double MS_PER_NANO = 1e-6;
    private static final double UNITS_PER_KM = 1e-3;

    private final EndpointState[] members;
    /** 1 / weight per member: a multiplication per candidate instead of a division. */
    private final double[] perWeight;
    /** Each member's configured {@code cost}. */
    private final double[] costs;
    /** Each member's region index in {@link #regions}, -1 when unknown. */
    private final int[] regionOf;
    private final Regions regions;

    ScorePicker(EndpointState[] members, int[] weights, ClusterConfig cluster, Regions regions) {
        this.members = members;
        this.regions = regions;
        // The cluster's configs, not the states': a table being built carries newer configs until it commits.
        Map<String, EndpointConfig> configs = new HashMap<>();
        for (EndpointConfig c : cluster.endpoints()) {
            configs.put(c.id(), c);
        }
        costs = new double[members.length];
        regionOf = new int[members.length];
        perWeight = new double[members.length];
        for (int i = 0; i < members.length; i++) {
            perWeight[i] = 1.0 / weights[i];
            EndpointConfig c = configs.getOrDefault(members[i].id(), members[i].config());
            costs[i] = c.cost();
            regionOf[i] = regions == null ? -1 : regions.indexOf(c.region());
        }
    }

    @Override
    public EndpointState pick(PickContext ctx, int slot) {
        EndpointState[] s = members;
        int n = s.length;
        if (n <= 1) {
            return n == 0 ? null : s[0];
        }
        RandomGenerator random = ctx.random();
        int a = random.nextInt(n);
        int b = TwoChoices.distinctFrom(a, random, n);
        ScoreWeights w = ctx.scoreWeights();
        long now = ctx.nanoTime();
        double[] km = distances(ctx.location(), w);
        return cost(a, w, now, km) <= cost(b, w, now, km) ? s[a] : s[b];
    }

    /** Km per region from the client, or null when the distance does not count for this request. */
    private double[] distances(ClientLocation location, ScoreWeights w) {
        if (w.distance() == 0 || regions == null || location == null || !location.hasCoordinates()) {
            return null;
        }
        return regions.distancesKm(location);
    }

    /** Member {@code i}'s cost per unit of weight; lower is better. */
    double cost(int i, ScoreWeights w, long nowNanos, double[] km) {
        EndpointState s = members[i];
        double c = w.load() * Math.max(0, s.inFlight()) + w.cost() * costs[i];
        if (w.latency() != 0) {
            c += w.latency() * s.latency().estimateAt(nowNanos) * MS_PER_NANO;
        }
        if (w.errors() != 0) {
            c += w.errors() * s.errorRate().percentAt(nowNanos);
        }
        if (km != null && regionOf[i] >= 0) {
            double d = km[regionOf[i]];
            if (!Double.isNaN(d)) {
                c += w.distance() * d * UNITS_PER_KM;
            }
        }
        return c * perWeight[i];
    }
}
