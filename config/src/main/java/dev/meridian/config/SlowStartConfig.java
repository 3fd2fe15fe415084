package dev.meridian.config;

import java.time.Duration;

/**
 * A returning endpoint's weight ramps linearly from {@code floorPercent} of its weight to all of it over
 * {@code window}. A zero window disables slow start.
 */
public record SlowStartConfig(Duration window, int floorPercent) {
    public static final SlowStartConfig DEFAULT = new SlowStartConfig(Duration.ofSeconds(10), 10);
}
