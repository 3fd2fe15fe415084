package dev.meridian.config;

import java.util.Locale;

/**
 * Balancing policies a cluster may name in {@code policy:}. The YAML spelling is the lower-case name.
 */
public enum Policy {
    /** Weighted round-robin, interleaved (smooth) so heavy endpoints do not get bursts. */
    WEIGHTED;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
