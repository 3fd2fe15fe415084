package dev.meridian.config;

import java.time.Duration;

/**
 * What a route lets its requests turn into once HTTP ends on the connection: bytes both ways, untouched.
 *
 * @param websocket   whether an {@code Upgrade: websocket} request is passed on as one (on by default, as HAProxy
 *                    does; off, the Upgrade is dropped and the endpoint sees a plain request)
 * @param connect     whether a CONNECT request is passed on to the endpoint and tunnelled on its 2xx (off by default:
 *                    a reverse proxy that tunnels anything asked becomes an open relay); refused with 405 otherwise
 * @param idleTimeout a tunnel with no byte either way for this long is closed
 */
public record TunnelsConfig(boolean websocket, boolean connect, Duration idleTimeout) {
    public static final TunnelsConfig DEFAULT = new TunnelsConfig(true, false, Duration.ofHours(1));

    public TunnelsConfig {
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
        }
    }
}
