package dev.meridian.routing.balance;

import dev.meridian.config.HashConfig;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;

/**
 * What {@code ring_hash} and {@code maglev} share: a circle of positions, each owned by a member, built once per
 * level; a key's hash names a position, and its owner takes the request. A request without a key gets a random hash,
 * so it lands in proportion to the positions each member owns, that is to weight.
 *
 * <p>With bounded load (Mirrokni et al., "Consistent Hashing with Bounded Loads", 2016) a member takes the request
 * only while its requests in flight stay under {@code factor × (cluster in flight + 1) × its weight share}; otherwise
 * the walk goes on to the owners of the following positions. The positions of one member are spread around the
 * circle, so the load a busy member sheds goes to many members, not to one neighbour. The +1 counts the request being
 * placed, so an idle cluster never spills.
 *
 * <p>The walk ends early: the bounds add up to {@code factor × (total + 1)}, more than is in flight, so members
 * holding at least {@code 1 - 1/factor} of the weight have room (a fifth at factor 1.25) and a walk over well-mixed
 * owners meets one within a few looks. It looks at each position at most once, so it ends within the table even
 * when the totals lag the members' counts and nobody has room; then the least loaded relative to its bound takes it.
 * A cap of N looks would not do: owners repeat along the walk, and N looks can miss the one member with room.
 */
abstract class HashPicker implements LevelPicker {
    private final EndpointState[] members;
    /** Position to member index: the ring's points in order, or the Maglev table. */
    private final int[] owners;
    /** {@code factor × weight / level weight} per member; null when load is not bounded. */
    private final double[] boundShare;

    HashPicker(EndpointState[] members, int[] weights, int[] owners, HashConfig config) {
        this.members = members;
        this.owners = owners;
        this.boundShare = config.boundedLoadFactor() > 0 ? boundShares(weights, config.boundedLoadFactor()) : null;
    }

    private static double[] boundShares(int[] weights, double factor) {
        long total = 0;
        for (int w : weights) {
            total += w;
        }
        double[] share = new double[weights.length];
        for (int i = 0; i < weights.length; i++) {
            share[i] = factor * weights[i] / total;
        }
        return share;
    }

    /** The position that {@code hash} falls on, in {@code [0, owners.length)}. */
    abstract int position(long hash);

    @Override
    public final EndpointState pick(PickContext ctx, int slot) {
        EndpointState[] s = members;
        int n = s.length;
        if (n <= 1) {
            return n == 0 ? null : s[0];
        }
        int p = position(ctx.hasHash() ? ctx.hash() : ctx.random().nextLong());
        int m = owners[p];
        return boundShare == null ? s[m] : underBound(p, m);
    }

    private EndpointState underBound(int start, int first) {
        EndpointState[] s = members;
        double[] share = boundShare;
        long placed = s[first].clusterLoad().inFlight() + 1;
        int load = s[first].inFlight();
        if (load < share[first] * placed) {
            return s[first];
        }
        int best = first;
        double bestRatio = load / share[first];
        int[] o = owners;
        int len = o.length;
        int last = first;
        for (int step = 1; step < len; step++) {
            int p = start + step;
            int m = o[p < len ? p : p - len];
            if (m == last || m == first) {
                continue;
            }
            last = m;
            load = s[m].inFlight();
            if (load < share[m] * placed) {
                return s[m];
            }
            double ratio = load / share[m];
            if (ratio < bestRatio) {
                best = m;
                bestRatio = ratio;
            }
        }
        return s[best];
    }

    /** Member index per position, for tests. */
    final int[] owners() {
        return owners;
    }
}
