package dev.meridian.config;

/**
 * The admin HTTP port. Defaults to 127.0.0.1:9901, as Envoy's admin interface.
 */
public record AdminConfig(String address, int port) {
    public static final AdminConfig DEFAULT = new AdminConfig("127.0.0.1", 9901);
}
