package dev.meridian.config;

import java.time.Duration;

/**
 * Upstream keep-alive connections of a cluster.
 *
 * @param maxConnectionsPerEndpoint cap of open connections to one endpoint, per event loop (default 1024)
 * @param idleTimeout               an idle pooled connection is closed after this (default 60 s)
 * @param maxResponseHeaderBytes    a response whose status line and headers are larger than this is refused (502)
 *                                  and its connection closed (default 64 KiB); applies to connections opened after it
 *                                  was set
 */
public record PoolConfig(int maxConnectionsPerEndpoint, Duration idleTimeout, int maxResponseHeaderBytes) {
    public static final int DEFAULT_MAX_RESPONSE_HEADER_BYTES = 64 * 1024;
    public static final PoolConfig DEFAULT = new PoolConfig(1024, Duration.ofSeconds(60));

    /** The default response header limit. */
    public PoolConfig(int maxConnectionsPerEndpoint, Duration idleTimeout) {
        this(maxConnectionsPerEndpoint, idleTimeout, DEFAULT_MAX_RESPONSE_HEADER_BYTES);
    }
}
