package dev.meridian.config;

/**
 * One proxy listener. {@code port} 0 asks the OS for an ephemeral port (tests, demo).
 */
public record ListenerConfig(String name, String address, int port) {
}
