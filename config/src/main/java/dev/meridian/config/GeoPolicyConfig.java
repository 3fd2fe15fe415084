package dev.meridian.config;

import java.util.Map;

/**
 * How a {@code geo} cluster picks: the nearest region to the client first, then {@code within} among that region's
 * endpoints; the next nearest when the nearest is FAILED (no endpoint takes traffic) or loaded beyond
 * {@code spillAtLoadPercent}.
 *
 * @param within             the policy inside a region: any policy but {@code geo}
 * @param spillAtLoadPercent 0: spill only when FAILED; else spill when the region's requests in flight exceed this
 *                           percentage of its endpoints' summed {@code capacity} (every endpoint then needs one)
 * @param bias               per region name, -99..99: Route 53's geoproximity bias; the distance to the region is
 *                           scaled by (1 - bias / 100), so a positive bias draws clients from further away
 */
public record GeoPolicyConfig(Policy within, int spillAtLoadPercent, Map<String, Integer> bias) {
    public static final GeoPolicyConfig DEFAULT = new GeoPolicyConfig(Policy.WEIGHTED, 0, Map.of());

    public GeoPolicyConfig {
        bias = Map.copyOf(bias);
    }

    public int biasOf(String region) {
        return bias.getOrDefault(region, 0);
    }
}
