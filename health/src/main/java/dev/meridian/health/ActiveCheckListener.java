package dev.meridian.health;

import dev.meridian.routing.EndpointState;

/**
 * Where active checks report, only on transitions (after {@code rise} passes or {@code fall} failures in a row).
 * Called from an event loop: implementations hand the work to the control thread.
 */
public interface ActiveCheckListener {
    /** The endpoint passed its checks {@code rise} times in a row (or its first check, at start). */
    void checkedHealthy(EndpointState endpoint, String cause);

    /** The endpoint failed its checks {@code fall} times in a row. */
    void checkedUnhealthy(EndpointState endpoint, String cause);
}
