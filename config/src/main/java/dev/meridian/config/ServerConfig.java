package dev.meridian.config;

import java.time.Duration;

/**
 * Process-wide limits and timeouts of the HTTP server side.
 *
 * @param maxRequestLineBytes longer request lines are answered 414 (default 8 KiB, as nginx's large buffer)
 * @param maxHeaderBytes      larger header blocks are answered 431 (default 64 KiB)
 * @param keepAliveTimeout    an idle client keep-alive connection is closed after this (default 75 s, as nginx)
 * @param shutdownGrace       on SIGTERM, in-flight requests get this long to finish (default 30 s)
 * @param continuity          the business-continuity level at start (default full); the admin port changes it at run
 *                            time, and a reload applies the file's level only when the file changed it
 * @param autoShedding        whether clusters near their limits shed the lowest tiers first (default true)
 */
public record ServerConfig(int maxRequestLineBytes, int maxHeaderBytes, Duration keepAliveTimeout,
                           Duration shutdownGrace, ContinuityLevel continuity, boolean autoShedding) {
    public static final ServerConfig DEFAULT =
            new ServerConfig(8 * 1024, 64 * 1024, Duration.ofSeconds(75), Duration.ofSeconds(30));

    public ServerConfig {
        continuity = continuity == null ? ContinuityLevel.FULL : continuity;
    }

    /** Full continuity, automatic shedding on. */
    public ServerConfig(int maxRequestLineBytes, int maxHeaderBytes, Duration keepAliveTimeout,
                        Duration shutdownGrace) {
        this(maxRequestLineBytes, maxHeaderBytes, keepAliveTimeout, shutdownGrace, ContinuityLevel.FULL, true);
    }
}
