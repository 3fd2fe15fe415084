package dev.meridian.routing;

import dev.meridian.config.RouteConfig;

/**
 * The order in which a cluster short of room sheds service tiers: the lowest first, the critical tier never (only
 * the hard {@code max_requests} limit or the continuity level refuse it). Two signals, each with its own rule:
 *
 * <ul>
 *   <li>Requests in flight against {@code max_requests}: tier 4 is shed from 90 %, tier 3 from 93 %, tier 2 from
 *       96 %, tier 1 from 98 %, tier 0 at 100 % (the limit itself). Evaluated per request on the hot path, so a
 *       burst is met at once; the gaps keep room at the top for the tiers that matter more.</li>
 *   <li>Offered request rate against healthy capacity (the endpoints' {@code capacity}, scaled by health): tiers are
 *       admitted from 0 upwards while their combined offered rate fits, so only as many tiers go as the shortfall
 *       needs. A tier once shed comes back only when everything up to it fits in 90 % of the capacity, so noise
 *       around the boundary does not flap it. Offered means every request that arrived, shed ones included: what
 *       is shed does not make the demand look lower and re-admit itself.</li>
 * </ul>
 */
public final class ShedLadder {
    /** Per tier, the percentage of {@code max_requests} in flight from which that tier is shed. */
    private static final int[] IN_FLIGHT_PERCENT = {100, 98, 96, 93, 90};
    /** A shed tier returns once the demand up to it fits in this share of the healthy capacity. */
    static final double RECOVERY_SHARE = 0.9;

    private ShedLadder() {
    }

    /** The percentage of {@code max_requests} in flight from which {@code tier} is shed. */
    public static int inFlightPercent(int tier) {
        return IN_FLIGHT_PERCENT[tier];
    }

    /**
     * Per tier, the number of requests in flight (before the new one) from which a request of that tier is shed:
     * {@code ceil(maxRequests x percent / 100)}, so a small limit sheds nothing before the limit itself.
     */
    public static int[] inFlightThresholds(int maxRequests) {
        int[] at = new int[IN_FLIGHT_PERCENT.length];
        for (int tier = 0; tier < at.length; tier++) {
            at[tier] = (int) Math.min(maxRequests, ((long) maxRequests * IN_FLIGHT_PERCENT[tier] + 99) / 100);
        }
        return at;
    }

    /**
     * The highest tier a cluster serves given the offered rate per tier and its healthy capacity, in the same unit
     * (requests per second); never below the critical tier.
     *
     * @param currentTier the tier admitted until now, for the hysteresis: tiers above it need the recovery margin
     */
    public static int admittedTier(double[] offeredPerTier, double healthyCapacity, int currentTier) {
        double demand = offeredPerTier[RouteConfig.CRITICAL_TIER];
        int admitted = RouteConfig.CRITICAL_TIER;
        for (int tier = RouteConfig.CRITICAL_TIER + 1; tier <= RouteConfig.LOWEST_TIER; tier++) {
            demand += offeredPerTier[tier];
            double room = tier > currentTier ? healthyCapacity * RECOVERY_SHARE : healthyCapacity;
            if (demand > room) {
                break;
            }
            admitted = tier;
        }
        return admitted;
    }
}
