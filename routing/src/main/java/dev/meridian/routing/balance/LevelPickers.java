package dev.meridian.routing.balance;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.Policy;
import dev.meridian.routing.EndpointState;

/** Builds the {@link LevelPicker} of a policy for one level's members. */
final class LevelPickers {
    private LevelPickers() {
    }

    /**
     * @param policy  the policy inside the level ({@code geo} picks a region first, then builds levels with its
     *                {@code within} policy)
     * @param members the level's members, index for index with {@code weights}
     * @param table   the smooth weighted round-robin over the same members and weights
     * @param regions the cluster's regions, for policies that weigh the client's distance
     */
    static LevelPicker of(Policy policy, EndpointState[] members, int[] weights, WeightedTable<EndpointState> table,
                          ClusterConfig cluster, Regions regions) {
        switch (policy) {
            case RANDOM:
                return new WeightedRandomPicker(members, weights);
            case LEAST_REQUEST:
                return new LeastRequestPicker(members, weights);
            case LATENCY:
                return new LatencyPicker(members, weights);
            case RING_HASH:
                return RingHashPicker.of(members, weights, cluster);
            case MAGLEV:
                return MaglevPicker.of(members, weights, cluster.hash());
            case SCORE:
                return new ScorePicker(members, weights, cluster, regions);
            default:
                return (ctx, slot) -> table.pick(ctx.nextTicket(slot));
        }
    }
}
