package dev.meridian.routing.balance;

import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import java.util.random.RandomGenerator;

/** {@code least_request}: power of two choices keeping the higher weight / (in flight + 1). */
final class LeastRequestPicker implements LevelPicker {
    private final EndpointState[] members;
    private final int[] weights;

    LeastRequestPicker(EndpointState[] members, int[] weights) {
        this.members = members;
        this.weights = weights;
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
        // Compared cross-multiplied, so exactly and without division.
        long aScore = weights[a] * (Math.max(0, s[b].inFlight()) + 1L);
        long bScore = weights[b] * (Math.max(0, s[a].inFlight()) + 1L);
        return aScore >= bScore ? s[a] : s[b];
    }
}
