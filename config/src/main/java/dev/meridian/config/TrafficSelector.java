package dev.meridian.config;

import java.util.List;
import java.util.Objects;

/**
 * One side of a failover shift, within one cluster: its endpoints in a region, at a priority level, or listed by id.
 *
 * @param region    set when {@code kind} is REGION
 * @param priority  set when {@code kind} is PRIORITY, else -1
 * @param endpoints set when {@code kind} is ENDPOINTS, else empty
 */
public record TrafficSelector(Kind kind, String region, int priority, List<String> endpoints) {
    public enum Kind {
        REGION,
        PRIORITY,
        ENDPOINTS
    }

    public TrafficSelector {
        Objects.requireNonNull(kind, "kind");
        endpoints = List.copyOf(endpoints);
    }

    public static TrafficSelector region(String name) {
        return new TrafficSelector(Kind.REGION, Objects.requireNonNull(name, "name"), -1, List.of());
    }

    public static TrafficSelector priority(int level) {
        return new TrafficSelector(Kind.PRIORITY, null, level, List.of());
    }

    public static TrafficSelector endpoints(List<String> ids) {
        return new TrafficSelector(Kind.ENDPOINTS, null, -1, ids);
    }

    /** Whether the endpoint of that config belongs to this side. */
    public boolean selects(EndpointConfig e) {
        return switch (kind) {
            case REGION -> region.equals(e.region());
            case PRIORITY -> priority == e.priority();
            case ENDPOINTS -> endpoints.contains(e.id());
        };
    }

    /** "region eu-west", "priority 1", "endpoints [a, b]": for events and problems. */
    @Override
    public String toString() {
        return switch (kind) {
            case REGION -> "region " + region;
            case PRIORITY -> "priority " + priority;
            case ENDPOINTS -> "endpoints " + endpoints;
        };
    }
}
