package dev.meridian.health.probe;

/** How a probe reports its one result, on the event loop it ran on. */
@FunctionalInterface
interface ProbeCallback {
    /**
     * @param pass  whether the endpoint passed
     * @param cause a short reason an operator can read: {@code status 200}, {@code connect refused}
     */
    void completed(boolean pass, String cause);
}
