package dev.meridian.config;

import java.time.Duration;

/**
 * Process-wide limits and timeouts of the HTTP server side: what one client may send and hold, and how long it may
 * take. Each limit is answered with its own status, or, for connections, a close at accept.
 *
 * @param maxRequestLineBytes      longer request lines (method, target and version) are answered 414 (default 8 KiB,
 *                                 as nginx's large buffer)
 * @param maxHeaderBytes           larger header blocks are answered 431 (default 64 KiB)
 * @param maxHeaderCount           requests with more header fields are answered 431 (default 100, as Envoy)
 * @param maxBodyBytes             larger request bodies are answered 413, unless a route sets its own limit
 *                                 (default 64 MiB)
 * @param requestHeaderTimeout     a request head not complete this long after its first byte (or, for a connection's
 *                                 first request, after the connection opened) is answered 408 and the connection
 *                                 closed; a new connection that sends nothing in that time is closed (default 10 s)
 * @param minBodyRate              a request body arriving slower than this many bytes per second, averaged from its
 *                                 start once {@code minBodyRateGrace} passed, is answered 408 (default 240, as
 *                                 Kestrel); 0 turns the check off
 * @param minBodyRateGrace         how long a body may arrive at any rate before {@code minBodyRate} applies
 *                                 (default 5 s, as Kestrel)
 * @param keepAliveTimeout         an idle client keep-alive connection is closed after this (default 75 s, as nginx)
 * @param maxRequestsPerConnection the response to the last request a keep-alive connection may carry says
 *                                 {@code Connection: close} (default 1000, as nginx's keepalive_requests)
 * @param maxConnections           client connections beyond this many open are closed as soon as accepted
 *                                 (default 10000)
 * @param maxConnectionsPerClient  connections from one client address beyond this many open are closed as soon as
 *                                 accepted (default 1024)
 * @param shutdownGrace            on SIGTERM, in-flight requests get this long to finish (default 30 s)
 * @param continuity               the business-continuity level at start (default full); the admin port changes it
 *                                 at run time, and a reload applies the file's level only when the file changed it
 * @param autoShedding             whether clusters near their limits shed the lowest tiers first (default true)
 * @param forwardedHeader          whether upstream requests carry an RFC 7239 {@code Forwarded} header (default
 *                                 false: most backends read X-Forwarded-*, and a second source of the same facts
 *                                 is one more to keep from being spoofed)
 */
public record ServerConfig(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes,
                           Duration requestHeaderTimeout, int minBodyRate, Duration minBodyRateGrace,
                           Duration keepAliveTimeout, int maxRequestsPerConnection, int maxConnections,
                           int maxConnectionsPerClient, Duration shutdownGrace, ContinuityLevel continuity,
                           boolean autoShedding, boolean forwardedHeader) {
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    public static final long DEFAULT_MAX_BODY_BYTES = 64L << 20;
    public static final Duration DEFAULT_REQUEST_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MIN_BODY_RATE = 240;
    public static final Duration DEFAULT_MIN_BODY_RATE_GRACE = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_REQUESTS_PER_CONNECTION = 1000;
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 1024;

    public static final ServerConfig DEFAULT =
            new ServerConfig(8 * 1024, 64 * 1024, Duration.ofSeconds(75), Duration.ofSeconds(30));

    public ServerConfig {
        continuity = continuity == null ? ContinuityLevel.FULL : continuity;
        atLeast("maxRequestLineBytes", maxRequestLineBytes, 1);
        atLeast("maxHeaderBytes", maxHeaderBytes, 1);
        atLeast("maxHeaderCount", maxHeaderCount, 1);
        atLeast("maxBodyBytes", maxBodyBytes, 1);
        atLeast("minBodyRate", minBodyRate, 0);
        atLeast("maxRequestsPerConnection", maxRequestsPerConnection, 1);
        atLeast("maxConnections", maxConnections, 1);
        atLeast("maxConnectionsPerClient", maxConnectionsPerClient, 1);
        positive("requestHeaderTimeout", requestHeaderTimeout);
        positive("minBodyRateGrace", minBodyRateGrace);
        positive("keepAliveTimeout", keepAliveTimeout);
    }

    /** Without a {@code Forwarded} header. */
    public ServerConfig(int maxRequestLineBytes, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes,
                        Duration requestHeaderTimeout, int minBodyRate, Duration minBodyRateGrace,
                        Duration keepAliveTimeout, int maxRequestsPerConnection, int maxConnections,
                        int maxConnectionsPerClient, Duration shutdownGrace, ContinuityLevel continuity,
                        boolean autoShedding) {
        this(maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxBodyBytes, requestHeaderTimeout, minBodyRate,
                minBodyRateGrace, keepAliveTimeout, maxRequestsPerConnection, maxConnections,
                maxConnectionsPerClient, shutdownGrace, continuity, autoShedding, false);
    }

    /** The default client limits. */
    public ServerConfig(int maxRequestLineBytes, int maxHeaderBytes, Duration keepAliveTimeout,
                        Duration shutdownGrace, ContinuityLevel continuity, boolean autoShedding) {
        this(maxRequestLineBytes, maxHeaderBytes, DEFAULT_MAX_HEADER_COUNT, DEFAULT_MAX_BODY_BYTES,
                DEFAULT_REQUEST_HEADER_TIMEOUT, DEFAULT_MIN_BODY_RATE, DEFAULT_MIN_BODY_RATE_GRACE, keepAliveTimeout,
                DEFAULT_MAX_REQUESTS_PER_CONNECTION, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
                shutdownGrace, continuity, autoShedding);
    }

    /** Full continuity, automatic shedding on, the default client limits. */
    public ServerConfig(int maxRequestLineBytes, int maxHeaderBytes, Duration keepAliveTimeout,
                        Duration shutdownGrace) {
        this(maxRequestLineBytes, maxHeaderBytes, keepAliveTimeout, shutdownGrace, ContinuityLevel.FULL, true);
    }

    private static void atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
        }
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
