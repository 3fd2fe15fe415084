package dev.meridian.proxy.admin;

/**
 * Who made an admin call, as the audit log records it.
 *
 * @param address the peer's IP address, or {@code meridian} for the proxy's own actions (a TTL expiring)
 * @param role    {@code operator}, {@code viewer}, {@code anonymous} (a read from loopback) or {@code system}
 * @param token   the token's name (never its secret), or null
 */
record Caller(String address, String role, String token) {
    static final Caller SYSTEM = new Caller("meridian", "system", null);
}
