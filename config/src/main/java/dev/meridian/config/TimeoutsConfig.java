package dev.meridian.config;

import java.time.Duration;

/**
 * Per-route upstream timeouts.
 *
 * @param connect        to open an upstream connection (default 5 s)
 * @param responseHeader from the request's last byte sent to the response headers received (default 60 s, as nginx's
 *                       proxy_read_timeout)
 * @param idle           the longest silence while a request or response body streams, either way (default 60 s)
 */
public record TimeoutsConfig(Duration connect, Duration responseHeader, Duration idle) {
    public static final TimeoutsConfig DEFAULT =
            new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60));
}
