package dev.meridian.config;

import java.util.Objects;

/**
 * One bearer token of the admin port.
 *
 * @param name   who holds it, for the audit log (the secret itself is never logged)
 * @param secret the resolved token
 * @param source where the secret came from, e.g. {@code env ADMIN_TOKEN}, for messages
 */
public record AdminToken(String name, Role role, String secret, String source) {
    /** What a token allows: a viewer reads, an operator also changes. */
    public enum Role {
        VIEWER,
        OPERATOR;

        public String yamlName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public AdminToken {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(source, "source");
    }

    /** Without the secret: records print every component, and this one ends up in logs and test reports. */
    @Override
    public String toString() {
        return "AdminToken[" + name + ", " + role.yamlName() + ", from " + source + "]";
    }
}
