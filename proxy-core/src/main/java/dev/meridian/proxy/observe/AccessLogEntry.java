package dev.meridian.proxy.observe;

/**
 * One request as the access log writes it. Built on the event loop from values the exchange already holds (no
 * formatting there); the writer thread turns it into a JSON line.
 *
 * @param epochMillis   when the request head arrived, wall-clock
 * @param client        the client's IP address
 * @param uri           the request target as received; the writer cuts the query off
 * @param status        the status sent to the client; 0 when none was (the connection closed first)
 * @param bytesIn       request body bytes read from the client
 * @param bytesOut      response body bytes sent to the client
 * @param durationNanos from the request head to the end of the response
 * @param endpoint      the endpoint of the last try; null when none was picked
 * @param region        that endpoint's region
 * @param attempts      tries made, retries and hedges included
 * @param policy        the cluster's balancing policy; null when no cluster was chosen
 * @param reason        why the proxy answered itself; null for proxied responses
 * @param requestId     the {@code X-Request-Id} the upstream saw (the client's, or the one the proxy set)
 */
public record AccessLogEntry(long epochMillis, String client, String method, String host, String uri, int status,
                             long bytesIn, long bytesOut, long durationNanos, String endpoint, String region,
                             int attempts, String policy, String reason, String requestId) {
}
