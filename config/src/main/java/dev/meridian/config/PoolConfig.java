package dev.meridian.config;

import java.time.Duration;

/**
 * Upstream keep-alive connections of a cluster.
 *
 * @param maxConnectionsPerEndpoint cap of open connections to one endpoint, per event loop (default 1024)
 * @param idleTimeout               an idle pooled connection is closed after this (default 60 s)
 */
public record PoolConfig(int maxConnectionsPerEndpoint, Duration idleTimeout) {
    public static final PoolConfig DEFAULT = new PoolConfig(1024, Duration.ofSeconds(60));
}
