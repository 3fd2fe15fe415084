package dev.meridian.config;

import java.util.List;
import java.util.Objects;

/**
 * The admin HTTP port. Defaults to 127.0.0.1:9901, as Envoy's admin interface.
 *
 * @param tokens   bearer tokens with their roles, secrets already resolved from the config, an environment variable
 *                 or a file; empty: reads from loopback only, no changes at all
 * @param auditLog the file every mutating call is appended to as a JSON line; null: the {@code meridian.audit}
 *                 logger instead
 */
public record AdminConfig(String address, int port, List<AdminToken> tokens, String auditLog) {
    public static final AdminConfig DEFAULT = new AdminConfig("127.0.0.1", 9901);

    public AdminConfig {
        Objects.requireNonNull(address, "address");
        tokens = List.copyOf(tokens);
    }

    public AdminConfig(String address, int port) {
        this(address, port, List.of(), null);
    }

    /** Whether {@link #address} is loopback-only: 127.0.0.0/8, ::1 or localhost. Textual, never resolves. */
    public boolean loopbackOnly() {
        return isLoopback(address);
    }

    static boolean isLoopback(String address) {
        return address.equals("localhost") || address.startsWith("127.") || address.equals("::1")
                || address.equals("0:0:0:0:0:0:0:1");
    }
}
