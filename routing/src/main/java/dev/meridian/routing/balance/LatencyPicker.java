package dev.meridian.routing.balance;

import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import java.util.random.RandomGenerator;

/**
 * {@code latency}: power of two choices keeping the lower Peak-EWMA x (in flight + 1), per unit of weight, so a
 * heavier endpoint is expected to take proportionally more before it looks as loaded.
 */
final class LatencyPicker implements LevelPicker {
    private final EndpointState[] members;
    private final int[] weights;

    LatencyPicker(EndpointState[] members, int[] weights) {
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
        long now = ctx.nanoTime();
        return cost(s[a], weights[a], now) <= cost(s[b], weights[b], now) ? s[a] : s[b];
    }

    private static double cost(EndpointState s, int weight, long nowNanos) {
        return s.latency().estimateAt(nowNanos) * (Math.max(0, s.inFlight()) + 1) / weight;
    }
}
