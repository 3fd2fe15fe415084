package dev.meridian.config;

import java.time.Duration;

/**
 * Per-route upstream timeouts.
 *
 * @param connect         to open an upstream connection (default 5 s)
 * @param responseHeader  from the request's last byte sent to the response headers received (default 60 s, as
 *                        nginx's proxy_read_timeout)
 * @param idle            the longest silence while a request or response body streams, either way (default 60 s)
 * @param minResponseRate bytes per second a response body must average over each {@code idle} period while Meridian
 *                        reads it; a slower body is cut off, as a silent one is. Off by default (0, as nginx, HAProxy and
 *                        Envoy have no such check): a default rate would cut sparse streams (server-sent events, long
 *                        polls) that only the idle timeout should govern; set it where upstreams may trickle
 */
public record TimeoutsConfig(Duration connect, Duration responseHeader, Duration idle, long minResponseRate) {
    public static final long DEFAULT_MIN_RESPONSE_RATE = 0;
    public static final TimeoutsConfig DEFAULT =
            new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60));

    /** The default minimum response rate. */
    public TimeoutsConfig(Duration connect, Duration responseHeader, Duration idle) {
        this(connect, responseHeader, idle, DEFAULT_MIN_RESPONSE_RATE);
    }
}
