package dev.meridian.routing.balance;

/**
 * Envoy's split of load over priority levels. A level's health is its healthy share of configured weight times the
 * overprovisioning factor, capped at 100; levels take load in order, each as much as its health allows of what is
 * left, and when the total health is under 100 the shares are scaled up so the whole load still goes somewhere.
 * With the default factor 1.4, a level 72% healthy keeps all its load and a level 50% healthy keeps 70%.
 */
public final class PriorityLoad {
    /** Absorbs the rounding of products such as 1.4 x 50, which must give 70, not 69. */
    private static final double EPSILON = 1e-9;

    private PriorityLoad() {
    }

    /**
     * A level's health in percent, 0..100.
     *
     * @param healthyWeight    the level's weight that counts as healthy
     * @param configuredWeight the level's total configured weight, above 0
     */
    public static int health(long healthyWeight, long configuredWeight, double overprovisioningFactor) {
        double h = overprovisioningFactor * healthyWeight * 100.0 / configuredWeight;
        return (int) Math.min(100, Math.floor(h + EPSILON));
    }

    /**
     * The load of each level in percent, summing to 100, or all zeros when no level has any health (the caller then
     * decides between panic and nothing).
     */
    public static int[] distribute(int[] health) {
        int[] load = new int[health.length];
        int total = 0;
        for (int h : health) {
            total += h;
        }
        int normalized = Math.min(100, total);
        if (normalized == 0) {
            return load;
        }
        int left = 100;
        int firstWithHealth = -1;
        for (int i = 0; i < health.length; i++) {
            load[i] = Math.min(left, health[i] * 100 / normalized);
            left -= load[i];
            if (firstWithHealth < 0 && health[i] > 0) {
                firstWithHealth = i;
            }
        }
        // Integer division can leave a percent or two over when the shares were scaled up; Envoy gives it to the
        // first level that has any health.
        load[firstWithHealth] += left;
        return load;
    }
}
