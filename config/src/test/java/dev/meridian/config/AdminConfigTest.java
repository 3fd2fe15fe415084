package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin section: tokens from the three sources, the refusal to expose the port without one, the audit log. */
class AdminConfigTest {
    private static final String SECRET = "0123456789abcdef0123";
    private static final String REST = """
            listeners: [{address: 127.0.0.1, port: 0}]
            regions: [{name: r, jurisdiction: US, latitude: 0, longitude: 0}]
            clusters: [{name: c, endpoints: [{id: e, address: 127.0.0.1:9001, region: r}]}]
            routes: [{cluster: c}]
            """;

    @TempDir
    Path dir;

    private ConfigResult parse(String admin, Map<String, String> env) {
        return ConfigLoader.parse("admin.yaml", admin + REST, dir, env::get);
    }

    private static String problem(ConfigResult r) {
        assertThat(r.ok()).as("expected a problem").isFalse();
        assertThat(r.problems()).hasSize(1);
        return r.problems().get(0).format();
    }

    @Test
    void defaultsToLoopbackWithoutTokensOrAuditLog() {
        AdminConfig a = parse("", Map.of()).orThrow().admin();
        assertThat(a).isEqualTo(AdminConfig.DEFAULT);
        assertThat(a.tokens()).isEmpty();
        assertThat(a.auditLog()).isNull();
        assertThat(a.loopbackOnly()).isTrue();
    }

    @Test
    void resolvesTokensFromConfigEnvironmentAndFile() throws Exception {
        Files.writeString(dir.resolve("viewer.token"), "fedcba9876543210fedc\n# rotated monthly\n");
        AdminConfig a = parse("""
                admin:
                  address: 0.0.0.0
                  port: 0
                  audit_log: audit.jsonl
                  tokens:
                    - {name: ci, role: operator, token: %s}
                    - {name: oncall, role: operator, token_env: ONCALL_TOKEN}
                    - {name: dashboards, role: viewer, token_file: viewer.token}
                """.formatted(SECRET), Map.of("ONCALL_TOKEN", "  abcdefabcdefabcdef12 ")).orThrow().admin();
        assertThat(a.tokens()).containsExactly(
                new AdminToken("ci", AdminToken.Role.OPERATOR, SECRET, "the config"),
                new AdminToken("oncall", AdminToken.Role.OPERATOR, "abcdefabcdefabcdef12",
                        "environment variable ONCALL_TOKEN"),
                new AdminToken("dashboards", AdminToken.Role.VIEWER, "fedcba9876543210fedc",
                        "file " + dir.resolve("viewer.token")));
        assertThat(a.auditLog()).isEqualTo(dir.resolve("audit.jsonl").toString());
        assertThat(a.loopbackOnly()).isFalse();
        assertThat(a.tokens().get(0).toString()).doesNotContain(SECRET);
    }

    @Test
    void refusesANonLoopbackAdminPortWithoutToken() {
        assertThat(problem(parse("admin: {address: 0.0.0.0, port: 9901}\n", Map.of())))
                .contains("admin.yaml:1:18: admin port on 0.0.0.0 with no token")
                .contains("bind the admin port to 127.0.0.1");
    }

    @Test
    void unsetEnvironmentVariableIsAProblemAtLoad() {
        assertThat(problem(parse("admin: {tokens: [{name: a, role: operator, token_env: NOPE}]}\n", Map.of())))
                .contains("environment variable NOPE is not set").contains("export it");
    }

    @Test
    void missingTokenFileIsAProblemAtLoad() {
        assertThat(problem(parse("admin: {tokens: [{name: a, role: operator, token_file: gone.token}]}\n", Map.of())))
                .contains("cannot read token file " + dir.resolve("gone.token"));
    }

    @Test
    void exactlyOneTokenSource() {
        assertThat(problem(parse("admin: {tokens: [{name: a, role: operator, token: " + SECRET
                + ", token_env: X}]}\n", Map.of("X", SECRET))))
                .contains("exactly one of 'token', 'token_env' or 'token_file'");
        assertThat(problem(parse("admin: {tokens: [{name: a, role: operator}]}\n", Map.of())))
                .contains("exactly one of 'token', 'token_env' or 'token_file'");
    }

    @Test
    void shortSecretsUnknownRolesAndDuplicateNamesAreRefused() {
        assertThat(problem(parse("admin: {tokens: [{name: a, role: operator, token: short}]}\n", Map.of())))
                .contains("is 5 characters long").contains("at least 16");
        assertThat(problem(parse("admin: {tokens: [{name: a, role: admin, token: " + SECRET + "}]}\n", Map.of())))
                .contains("unknown admin role 'admin'").contains("operator");
        ConfigResult dup = parse("admin:\n  tokens:\n    - {name: a, role: operator, token: " + SECRET
                + "}\n    - {name: a, role: viewer, token: " + SECRET + "x}\n", Map.of());
        assertThat(problem(dup)).contains("admin.yaml:4:14: admin token name 'a' is already used");
    }

    @Test
    void unknownKeysInATokenAreRefused() {
        ConfigResult r = parse("admin: {tokens: [{name: a, role: operator, secret: " + SECRET + "}]}\n", Map.of());
        assertThat(r.problems()).extracting(ConfigProblem::message)
                .contains("unknown key 'secret' in an admin token");
    }
}
