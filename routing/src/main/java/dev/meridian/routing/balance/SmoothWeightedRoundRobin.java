package dev.meridian.routing.balance;

/**
 * nginx's smooth weighted round robin, run once over a whole cycle at build time. Each step every entry gains its
 * weight, the largest (the first on ties) is chosen and loses the total; after {@code sum(weights)} steps each entry
 * was chosen exactly {@code weight} times and every current weight is back to zero, so the cycle repeats. Heavy
 * entries are spread out: 5,1,1 gives a,a,b,a,c,a,a rather than a burst of five.
 */
final class SmoothWeightedRoundRobin {
    private SmoothWeightedRoundRobin() {
    }

    /**
     * The indexes chosen over one cycle.
     *
     * @param weights positive weights, already divided by their gcd so the cycle is as short as it can be
     */
    static int[] cycle(int[] weights) {
        long total = 0;
        for (int w : weights) {
            total += w;
        }
        int[] order = new int[Math.toIntExact(total)];
        long[] current = new long[weights.length];
        for (int step = 0; step < order.length; step++) {
            int best = 0;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order[step] = best;
        }
        return order;
    }
}
