package dev.meridian.config;

import java.util.Locale;

/**
 * The business-continuity level: which service tiers the proxy serves. Routes carry a {@code tier} from 0
 * (critical) to 4 (lowest); a level admits every tier up to its own bound, and {@link #HALT} admits none (only the
 * admin port answers). The YAML spelling is the lower-case name.
 */
public enum ContinuityLevel {
    /** Every tier. */
    FULL(RouteConfig.LOWEST_TIER),
    /** Tiers 0 and 1. */
    ESSENTIAL(1),
    /** Tier 0 only. */
    SAFE_MODE(0),
    /** No traffic: every request is answered 503. */
    HALT(-1);

    private final int highestTier;

    ContinuityLevel(int highestTier) {
        this.highestTier = highestTier;
    }

    /** Whether a route of {@code tier} is served at this level. */
    public boolean admits(int tier) {
        return tier <= highestTier;
    }

    /** The highest tier still served; -1 for {@link #HALT}. */
    public int highestTier() {
        return highestTier;
    }

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The level spelt {@code text} in YAML or an admin call, or null. */
    public static ContinuityLevel named(String text) {
        for (ContinuityLevel l : values()) {
            if (l.yamlName().equals(text)) {
                return l;
            }
        }
        return null;
    }
}
