package dev.meridian.routing.balance;

import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import java.util.Arrays;

/** {@code random}: each pick independent, in proportion to weight: one draw and one binary search. */
final class WeightedRandomPicker implements LevelPicker {
    private final EndpointState[] members;
    /** Strictly increasing prefix sums of the weights. */
    private final long[] cumulative;

    WeightedRandomPicker(EndpointState[] members, int[] weights) {
        this.members = members;
        this.cumulative = new long[weights.length];
        long sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            cumulative[i] = sum;
        }
    }

    @Override
    public EndpointState pick(PickContext ctx, int slot) {
        EndpointState[] s = members;
        int n = s.length;
        if (n <= 1) {
            return n == 0 ? null : s[0];
        }
        long draw = ctx.random().nextLong(cumulative[n - 1]);
        int i = Arrays.binarySearch(cumulative, draw + 1);
        return s[i >= 0 ? i : -i - 1];
    }
}
