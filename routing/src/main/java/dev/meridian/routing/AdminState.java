package dev.meridian.routing;

/** The operator's say over an endpoint, set through the admin port. */
public enum AdminState {
    ACTIVE,
    DRAINING,
    MAINTENANCE
}
