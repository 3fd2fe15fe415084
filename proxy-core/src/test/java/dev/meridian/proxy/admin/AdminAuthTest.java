package dev.meridian.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.AdminToken;
import dev.meridian.config.ConfigLoader;
import dev.meridian.config.ConfigResult;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may read and who may change, over real sockets, and the refusal to expose the admin port without a token. */
class AdminAuthTest {
    private static final String OPERATOR = "operator-secret-0123456789";
    private static final String VIEWER = "viewer-secret-0123456789";
    private static final String DRAIN_DRY = "{\"endpoint\": \"a\", \"dry_run\": true}";

    @TempDir
    Path dir;

    private MeridianServer start(TestBackend backend, String adminSection) throws Exception {
        String yaml = TestConfigs.yaml("""
                clusters:
                  - name: app
                    endpoints: [{id: a, address: %s, region: local}]
                routes: [{cluster: app}]
                """.formatted(backend.address())).replace("""
                admin:
                  address: 127.0.0.1
                  port: 0
                """, adminSection);
        return MeridianServer.start(ConfigLoader.parse("auth.yaml", yaml).orThrow(), 1);
    }

    @Test
    void changesNeedAnOperatorTokenReadsFromLoopbackDoNot() throws Exception {
        Files.writeString(dir.resolve("viewer.token"), VIEWER + "\n");
        try (TestBackend a = TestBackend.start("a");
             MeridianServer proxy = start(a, """
                     admin:
                       address: 127.0.0.1
                       port: 0
                       tokens:
                         - {name: ci, role: operator, token: %s}
                         - {name: dashboards, role: viewer, token_file: %s}
                     """.formatted(OPERATOR, dir.resolve("viewer.token")))) {
            AdminClient anonymous = new AdminClient(proxy.admin().address());

            assertThat(anonymous.get("/endpoints").status()).isEqualTo(200);
            AdminClient.Answer noToken = anonymous.post("/drain", DRAIN_DRY);
            assertThat(noToken.status()).isEqualTo(401);
            assertThat(noToken.body()).doesNotContain("\n").contains("operator token");

            AdminClient.Answer wrong = anonymous.withToken("operator-secret-012345678X").post("/drain", DRAIN_DRY);
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.json().get("error").asText()).isEqualTo("unknown token");
            assertThat(anonymous.withToken("x").get("/status").status())
                    .as("a bad token is refused even for a read").isEqualTo(401);

            AdminClient viewer = anonymous.withToken(VIEWER);
            assertThat(viewer.get("/status").status()).isEqualTo(200);
            AdminClient.Answer viewerChange = viewer.post("/drain", DRAIN_DRY);
            assertThat(viewerChange.status()).isEqualTo(403);
            assertThat(viewerChange.json().get("error").asText()).contains("'dashboards' is a viewer token");

            AdminClient.Answer operator = anonymous.withToken(OPERATOR).post("/drain", DRAIN_DRY);
            assertThat(operator.status()).isEqualTo(200);
            assertThat(operator.json().get("dry_run").asBoolean()).isTrue();
        }
    }

    @Test
    void withoutTokensNothingCanBeChanged() throws Exception {
        try (TestBackend a = TestBackend.start("a");
             MeridianServer proxy = start(a, "admin: {port: 0}\n")) {
            AdminClient.Answer r = new AdminClient(proxy.admin().address()).post("/drain", DRAIN_DRY);
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json().get("error").asText()).contains("none is configured").contains("admin.tokens");
        }
    }

    @Test
    void anotherSchemeThanBearerIsRefused() {
        AdminAuth auth = new AdminAuth(List.of(new AdminToken("ci", AdminToken.Role.OPERATOR, OPERATOR, "t")));
        AdminAuth.Verdict v = auth.check("Basic " + OPERATOR, InetAddress.getLoopbackAddress(), false);
        assertThat(v.allowed()).isFalse();
        assertThat(v.reason()).contains("Bearer");
    }

    @Test
    void readsFromBeyondLoopbackNeedAToken() throws Exception {
        AdminAuth auth = new AdminAuth(List.of(new AdminToken("dash", AdminToken.Role.VIEWER, VIEWER, "t")));
        InetAddress remote = InetAddress.getByAddress(new byte[] {10, 1, 2, 3});

        AdminAuth.Verdict anonymous = auth.check(null, remote, false);
        assertThat(anonymous.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(anonymous.reason()).contains("beyond loopback");
        AdminAuth.Verdict viewer = auth.check("bearer " + VIEWER, remote, false);
        assertThat(viewer.allowed()).isTrue();
        assertThat(viewer.caller()).isEqualTo(new Caller("10.1.2.3", "viewer", "dash"));
    }

    @Test
    void tokensAreComparedAsDigestsOfEqualLength() {
        // MessageDigest.isEqual over fixed-length digests: the comparison takes as long for a near miss as for
        // a far one, and the secret's length is not leaked either.
        assertThat(AdminAuth.digest("a")).hasSize(32);
        assertThat(AdminAuth.digest(OPERATOR)).hasSize(32);
    }

    @Test
    void aNonLoopbackAdminPortWithoutTokensRefusesToStart() {
        ConfigResult r = ConfigLoader.parse("open.yaml", """
                listeners: [{address: 127.0.0.1, port: 0}]
                admin: {address: 0.0.0.0, port: 0}
                regions: [{name: r, jurisdiction: US, latitude: 0, longitude: 0}]
                clusters: [{name: c, endpoints: [{id: e, address: 127.0.0.1:9, region: r}]}]
                routes: [{cluster: c}]
                """);
        assertThat(r.ok()).isFalse();
        assertThat(r.describeProblems()).contains("open.yaml:2:18: admin port on 0.0.0.0 with no token");
    }
}
