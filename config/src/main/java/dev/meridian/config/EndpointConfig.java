package dev.meridian.config;

/**
 * One upstream endpoint.
 *
 * @param id       unique across the whole config; the key that keeps live state across reloads
 * @param host     an IP literal or a host name (resolved once, off the event loop, when the table is built)
 * @param port     1..65535
 * @param region   the name of a declared region
 * @param zone     free-form availability zone, may be null
 * @param weight   0..10000 (0: configured but takes no traffic), default 100
 * @param priority 0 primary, 1 secondary, ... up to 9; default 0
 * @param capacity requests the endpoint can carry, for capacity-based status; 0 when not given
 * @param jurisdiction where the endpoint's data lives for residency rules; null: its region's
 * @param cost     a relative price of serving here (&ge; 0, default 0), one input of the {@code score} policy
 */
public record EndpointConfig(String id, String host, int port, String region, String zone, int weight,
                             int priority, int capacity, String jurisdiction, double cost) {
    /** An endpoint under its region's jurisdiction, at no cost. */
    public EndpointConfig(String id, String host, int port, String region, String zone, int weight, int priority,
                          int capacity) {
        this(id, host, port, region, zone, weight, priority, capacity, null, 0);
    }

    public static final int DEFAULT_WEIGHT = 100;
    public static final int MAX_WEIGHT = 10_000;
    public static final int MAX_PRIORITY = 9;

    public String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
