package dev.meridian.routing.balance;

import dev.meridian.routing.EndpointState;
import dev.meridian.routing.TrafficShift;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Applies a running failover shift ({@link TrafficShift} on the endpoints) to the levels of an eligible set, at build
 * time, from the current weights and loads: so a shift stays true to health changes that happen while it runs.
 *
 * <p>Each member's share of the cluster's picks is its level's load times its share of the level's weight. Every
 * source gives up {@code fraction} of its share; the targets take the sum in proportion to their own shares (or to
 * their weights when none of them had traffic, as in a standby level). Everyone else keeps its share exactly. Levels
 * then take the sum of their members' shares as their load (whole percents, largest remainder), and members their
 * share of that as weight (in ten-thousandths), so a shift between priority levels lifts the target level's load by
 * exactly what the source level loses, with no need to fake the target's health.
 */
final class ShiftedLoad {
    /** Weights of a shifted level sum to about this: 0.01 % steps, and a cycle short enough for smooth WRR. */
    static final int WEIGHT_SCALE = 10_000;

    private ShiftedLoad() {
    }

    /** Whether any of {@code states} takes part in a shift: when none does, the set is built as it always was. */
    static boolean any(List<EndpointState> states) {
        for (int i = 0; i < states.size(); i++) {
            if (states.get(i).health().shift() != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Rewrites {@code levels} and {@code load} in place; leaves both alone when no source has traffic to move or no
     * target can take it (every target is down: the shift waits, and its guard decides).
     */
    static void apply(EligibleSet.Level[] levels, int[] load) {
        double[][] share = new double[levels.length][];
        double moved = 0;
        double targetShare = 0;
        long targetWeight = 0;
        for (int i = 0; i < levels.length; i++) {
            List<EndpointState> members = levels[i].members();
            long total = 0;
            for (int j = 0; j < members.size(); j++) {
                total += levels[i].weight(j);
            }
            share[i] = new double[members.size()];
            for (int j = 0; j < members.size(); j++) {
                double s = total == 0 ? 0 : load[i] / 100.0 * levels[i].weight(j) / total;
                share[i][j] = s;
                TrafficShift shift = members.get(j).health().shift();
                if (shift == null) {
                    continue;
                }
                if (shift.side() == TrafficShift.Side.SOURCE) {
                    moved += s * shift.fraction();
                } else {
                    targetShare += s;
                    targetWeight += levels[i].weight(j);
                }
            }
        }
        if (moved <= 0 || targetWeight == 0) {
            return;
        }
        double[] levelShare = new double[levels.length];
        boolean[] touched = new boolean[levels.length];
        for (int i = 0; i < levels.length; i++) {
            List<EndpointState> members = levels[i].members();
            for (int j = 0; j < members.size(); j++) {
                TrafficShift shift = members.get(j).health().shift();
                if (shift != null) {
                    touched[i] = true;
                    double s = share[i][j];
                    share[i][j] = shift.side() == TrafficShift.Side.SOURCE ? s * (1 - shift.fraction())
                            : targetShare > 0 ? s + moved * s / targetShare
                            : moved * levels[i].weight(j) / targetWeight;
                }
                levelShare[i] += share[i][j];
            }
        }
        int[] percents = wholePercents(levelShare);
        for (int i = 0; i < levels.length; i++) {
            load[i] = percents[i];
            if (touched[i]) {
                levels[i] = levelShare[i] > 0 ? reweighted(levels[i], share[i], levelShare[i])
                        : withoutShifted(levels[i]);
            }
        }
    }

    private static EligibleSet.Level reweighted(EligibleSet.Level level, double[] share, double levelShare) {
        List<EndpointState> members = level.members();
        List<EndpointState> kept = new ArrayList<>();
        int[] weights = new int[members.size()];
        for (int j = 0; j < members.size(); j++) {
            int w = (int) Math.round(share[j] / levelShare * WEIGHT_SCALE);
            if (w > 0) {
                weights[kept.size()] = w;
                kept.add(members.get(j));
            }
        }
        return level.reweighted(kept, Arrays.copyOf(weights, kept.size()));
    }

    /**
     * A level that takes no load serves only as spares for retries: its members outside the shift stay, a source
     * shifted away completely does not (it is to get nothing, not even retries).
     */
    private static EligibleSet.Level withoutShifted(EligibleSet.Level level) {
        List<EndpointState> members = level.members();
        List<EndpointState> kept = new ArrayList<>();
        int[] weights = new int[members.size()];
        for (int j = 0; j < members.size(); j++) {
            if (members.get(j).health().shift() == null) {
                weights[kept.size()] = level.weight(j);
                kept.add(members.get(j));
            }
        }
        return level.reweighted(kept, Arrays.copyOf(weights, kept.size()));
    }

    /** Shares summing to 1 as whole percents summing to 100: floors, then the largest remainders get the rest. */
    static int[] wholePercents(double[] shares) {
        double sum = 0;
        for (double s : shares) {
            sum += s;
        }
        int[] out = new int[shares.length];
        if (sum <= 0) {
            return out;
        }
        double[] remainder = new double[shares.length];
        int given = 0;
        for (int i = 0; i < shares.length; i++) {
            double exact = shares[i] / sum * 100;
            out[i] = (int) Math.floor(exact);
            remainder[i] = exact - out[i];
            given += out[i];
        }
        while (given < 100) {
            int best = 0;
            for (int i = 1; i < shares.length; i++) {
                if (remainder[i] > remainder[best]) {
                    best = i;
                }
            }
            out[best]++;
            remainder[best] = -1;
            given++;
        }
        return out;
    }
}
