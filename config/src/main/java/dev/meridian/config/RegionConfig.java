package dev.meridian.config;

/**
 * A region: where endpoints run, under which jurisdiction (for data residency), at which coordinates (degrees).
 */
public record RegionConfig(String name, String jurisdiction, double latitude, double longitude) {
}
