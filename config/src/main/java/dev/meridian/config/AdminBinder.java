package dev.meridian.config;

import dev.meridian.config.YamlNode.YamlScalar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Binds the {@code admin} section: where the admin port listens, its bearer tokens and its audit log. A token's
 * secret is resolved here, from the config, an environment variable or a file, so a missing variable or an unreadable
 * file stops the load with a problem instead of leaving an admin port nobody can use.
 */
final class AdminBinder {
    static final Schema ADMIN = new Schema("admin section", "admin sections",
            List.of("address", "port", "tokens", "audit_log"), List.of());
    static final Schema TOKEN = new Schema("admin token", "admin tokens",
            List.of("name", "role", "token", "token_env", "token_file"), List.of("name", "role"));

    private static final List<String> SOURCES = List.of("token", "token_env", "token_file");
    private static final List<String> ROLES = List.of("operator", "viewer");
    /** Shorter secrets are guessable; 16 characters is what {@code openssl rand -hex 8} gives. */
    static final int MIN_SECRET_LENGTH = 16;

    private final Problems problems;
    private final Path directory;
    private final UnaryOperator<String> env;

    /**
     * @param directory where a relative {@code token_file} starts: the config file's directory
     * @param env       reads an environment variable; null when unset
     */
    AdminBinder(Problems problems, Path directory, UnaryOperator<String> env) {
        this.problems = problems;
        this.directory = directory;
        this.env = env;
    }

    AdminConfig admin(Fields f, String address) {
        AdminConfig d = AdminConfig.DEFAULT;
        int port = f.integer("port", d.port(), 0, 65_535);
        List<AdminToken> tokens = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        f.forEach("tokens", TOKEN, false, (t, i) -> {
            AdminToken token = token(t);
            if (token == null) {
                return;
            }
            Integer first = names.putIfAbsent(token.name(), t.value("name").line());
            if (first != null) {
                problems.add(t.value("name"), "admin token name '" + token.name() + "' is already used",
                        "first given at line " + first + "; the audit log tells callers apart by this name");
            }
            tokens.add(token);
        });
        String auditLog = f.string("audit_log");
        if (auditLog != null && auditLog.isBlank()) {
            problems.add(f.value("audit_log"), "'audit_log' is empty", "a file path, or remove the key to log to"
                    + " the meridian.audit logger");
            auditLog = null;
        }
        if (auditLog != null) {
            auditLog = resolve(auditLog).toString();
        }
        // Tokens given but all unusable are reported one by one above; this is for a port left open by omission.
        if (address != null && !AdminConfig.isLoopback(address) && !f.has("tokens")) {
            problems.add(f.value("address"), "admin port on " + address + " with no token",
                    "anyone who reaches " + address + " could read the topology; add 'tokens:' (an operator token"
                            + " for changes, viewer tokens for reads) or bind the admin port to 127.0.0.1");
        }
        return new AdminConfig(address == null ? d.address() : address, port, tokens, auditLog);
    }

    /** One token, or null when it cannot be used (reported). */
    private AdminToken token(Fields f) {
        String name = f.string("name");
        String roleText = f.string("role");
        AdminToken.Role role = null;
        if (roleText != null) {
            if (ROLES.contains(roleText)) {
                role = AdminToken.Role.valueOf(roleText.toUpperCase(java.util.Locale.ROOT));
            } else {
                problems.add(f.value("role"), "unknown admin role '" + roleText + "'",
                        Suggestions.hint(roleText, ROLES, "roles") + "; operator changes, viewer only reads");
            }
        }
        List<String> given = SOURCES.stream().filter(f::has).toList();
        if (given.size() != 1) {
            YamlNode at = given.size() > 1 ? ConfigBinder.later(f.key(given.get(0)), f.key(given.get(1))) : f.map();
            problems.add(at, "an admin token needs exactly one of 'token', 'token_env' or 'token_file'",
                    "token_env: NAME (an environment variable) or token_file: PATH keep the secret out of the"
                            + " config; token: is for tests");
            return null;
        }
        String key = given.get(0);
        String value = f.string(key);
        if (value == null) {
            return null;
        }
        YamlScalar at = (YamlScalar) f.value(key);
        String secret;
        String source;
        switch (key) {
            case "token" -> {
                secret = value;
                source = "the config";
            }
            case "token_env" -> {
                secret = env.apply(value);
                source = "environment variable " + value;
                if (secret == null || secret.isBlank()) {
                    problems.add(at, "environment variable " + value + " is " + (secret == null ? "not set" : "empty"),
                            "export it before starting meridian, e.g. " + value + "=$(openssl rand -hex 16)");
                    return null;
                }
            }
            default -> {
                Path file = resolve(value);
                source = "file " + file;
                secret = readSecret(file, at);
                if (secret == null) {
                    return null;
                }
            }
        }
        secret = secret.strip();
        if (secret.length() < MIN_SECRET_LENGTH) {
            problems.add(at, "admin token from " + source + " is " + secret.length() + " characters long",
                    "at least " + MIN_SECRET_LENGTH + ", e.g. from openssl rand -hex 16");
            return null;
        }
        return name == null || role == null ? null : new AdminToken(name, role, secret, source);
    }

    private String readSecret(Path file, YamlNode at) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8);
            if (s.isBlank()) {
                problems.add(at, "token file " + file + " is empty", "write the token on its first line");
                return null;
            }
            // The first line only: a trailing newline, or a comment line below, is not part of the secret.
            return s.strip().lines().findFirst().orElse("");
        } catch (IOException e) {
            problems.add(at, "cannot read token file " + file + ": " + e.getClass().getSimpleName(),
                    "check the path and that meridian's user may read it");
            return null;
        }
    }

    private Path resolve(String path) {
        try {
            return directory.resolve(path).normalize();
        } catch (InvalidPathException e) {
            return Path.of(path);
        }
    }
}
