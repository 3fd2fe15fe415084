package dev.meridian.proxy.upstream;

/**
 * A try that waits, on its event loop's pool, for a connection to its endpoint: the cluster's breaker allows no new
 * one (max_connections) while connections of this pool are busy and will come free within a response time.
 */
public interface ConnectionWaiter {

    /**
     * A connection to the endpoint came free on this loop.
     *
     * @return whether the waiter took it; if not, it goes to the next waiter or back to the idle ones
     */
    boolean take(UpstreamConnection c);

    /** A connection to the endpoint closed on this loop: the breaker may allow a new one now. */
    void roomFreed();
}
