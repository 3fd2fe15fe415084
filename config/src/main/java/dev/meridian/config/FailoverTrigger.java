package dev.meridian.config;

import java.util.Locale;

/** When a declared failover starts by itself: its source region's status reaching this or worse. */
public enum FailoverTrigger {
    /** Under the critical threshold of healthy capacity. */
    FAILED,
    /** Under the degraded threshold (CRITICAL), or FAILED. */
    CRITICAL;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
