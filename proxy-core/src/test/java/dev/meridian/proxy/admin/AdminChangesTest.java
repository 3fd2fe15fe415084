package dev.meridian.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.config.ConfigLoader;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.testing.LoadDriver;
import dev.meridian.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drain, undrain, maintenance and weight as versioned transactions; ttl, dry_run, reload and the audit log. */
class AdminChangesTest {
    private static final String TOKEN = "operator-secret-0123456789";

    @TempDir
    Path dir;

    private TestBackend a;
    private TestBackend b;
    private Path file;
    private Path auditFile;
    private MeridianServer proxy;
    private AdminClient admin;

    @BeforeEach
    void start() throws Exception {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        file = dir.resolve("meridian.yaml");
        auditFile = dir.resolve("audit.jsonl");
        Files.writeString(file, config(List.of(a, b)));
        proxy = MeridianServer.start(ConfigLoader.load(file).orThrow(), 2);
        admin = new AdminClient(proxy.admin().address(), TOKEN);
    }

    private String config(List<TestBackend> backends) {
        StringBuilder endpoints = new StringBuilder();
        for (TestBackend t : backends) {
            endpoints.append("      - {id: ").append(t.name()).append(", address: ").append(t.address())
                    .append(", region: local}\n");
        }
        return """
                listeners: [{address: 127.0.0.1, port: 0}]
                admin:
                  port: 0
                  audit_log: audit.jsonl
                  tokens: [{name: ci, role: operator, token: %s}]
                regions: [{name: local, jurisdiction: US, latitude: 0, longitude: 0}]
                clusters:
                  - name: app
                    endpoints:
                %s
                routes: [{name: all, cluster: app}]
                """.formatted(TOKEN, endpoints.toString().stripTrailing());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        a.close();
        b.close();
    }

    private JsonNode endpoint(String id) {
        for (JsonNode e : admin.get("/endpoints").json()) {
            if (e.get("id").asText().equals(id)) {
                return e;
            }
        }
        throw new AssertionError("no endpoint " + id);
    }

    @Test
    void drainUnderLoadLosesNoRequestAndEndsDrained() throws Exception {
        try (LoadDriver load = LoadDriver.start(proxy.address(), 4, "/delay/20", 30)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.received().size() > 10 && b.received().size() > 10);

            JsonNode drain = admin.post("/drain", "{\"endpoint\": \"b\", \"reason\": \"deploy\"}").json();
            assertThat(drain.get("version").asLong()).isEqualTo(1);
            assertThat(drain.get("changed").get(0).get("before").get("admin_state").asText()).isEqualTo("active");
            assertThat(drain.get("changed").get(0).get("after").get("admin_state").asText()).isEqualTo("draining");

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode eb = endpoint("b");
                assertThat(eb.get("status").asText()).isEqualTo("drained");
                assertThat(eb.get("in_flight").asInt()).isZero();
            });
            long drainedAt = System.nanoTime();
            int toB = b.received().size();
            long served = load.count();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.count() > served + 40);
            load.stop();

            assertThat(load.failures()).isEmpty();
            assertThat(load.sharesSince(drainedAt)).containsOnlyKeys("a");
            assertThat(b.received()).hasSize(toB);
            // Pooled keep-alive connections to b closed after their last response.
            await().atMost(Duration.ofSeconds(5)).until(() -> b.openConnections() == 0);
        }
    }

    @Test
    void aTtlRevertsTheChangeByItself() {
        JsonNode w = admin.post("/weight", "{\"endpoint\": \"a\", \"weight\": 0, \"ttl\": \"300ms\"}").json();
        assertThat(w.get("version").asLong()).isEqualTo(1);
        assertThat(w.get("expires_at").isNull()).isFalse();
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(endpoint("a").get("weight_override").asInt()).isZero();
            assertThat(endpoint("a").get("effective_weight").asInt()).isZero();
        });

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode ea = endpoint("a");
            assertThat(ea.get("weight_override").isNull()).isTrue();
            assertThat(ea.get("effective_weight").asInt()).isEqualTo(100);
        });
        JsonNode overlay = admin.get("/overlay").json();
        assertThat(overlay.get("version").asLong()).isEqualTo(2);
        assertThat(overlay.get("overlay").isEmpty()).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(Files.readString(auditFile)).contains("\"action\":\"expire weight\"")
                        .contains("\"role\":\"system\""));
    }

    @Test
    void aLaterChangeIsNotUndoneByAnEarlierTtl() {
        admin.post("/drain", "{\"endpoint\": \"a\", \"ttl\": \"200ms\"}");
        admin.post("/maintenance", "{\"endpoint\": \"a\"}");
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(endpoint("a").get("status").asText()).isEqualTo("maintenance"));
    }

    @Test
    void dryRunChangesNothing() {
        JsonNode r = admin.post("/drain", "{\"cluster\": \"app\", \"dry_run\": true}").json();
        assertThat(r.get("dry_run").asBoolean()).isTrue();
        assertThat(r.get("version").asLong()).isZero();
        assertThat(r.get("would_change")).hasSize(2);

        assertThat(admin.get("/overlay").json().get("version").asLong()).isZero();
        assertThat(endpoint("a").get("status").asText()).isEqualTo("healthy");
        assertThat(endpoint("b").get("admin_state").asText()).isEqualTo("active");
    }

    @Test
    void regionAndClusterTargetsAndVersions() {
        JsonNode m = admin.post("/maintenance", "{\"region\": \"local\"}").json();
        assertThat(m.get("version").asLong()).isEqualTo(1);
        assertThat(m.get("changed")).hasSize(2);
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(endpoint("b").get("status").asText()).isEqualTo("maintenance"));

        JsonNode again = admin.post("/maintenance", "{\"cluster\": \"app\", \"region\": \"local\"}").json();
        assertThat(again.get("changed")).isEmpty();
        assertThat(again.get("unchanged")).hasSize(2);
        assertThat(again.get("version").asLong()).as("nothing changed, no new version").isEqualTo(1);

        JsonNode u = admin.post("/undrain", "{\"cluster\": \"app\"}").json();
        assertThat(u.get("version").asLong()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(endpoint("a").get("status").asText()).isEqualTo("healthy"));
        assertThat(admin.get("/overlay").json().get("overlay").isEmpty()).isTrue();
    }

    @Test
    void badRequestsSayWhatIsWrong() {
        Map<String, String> cases = Map.of(
                "{\"endpoint\": \"zz\"}", "no endpoint 'zz'",
                "{\"endpoint\": \"a\", \"cluster\": \"app\"}", "give 'endpoint' alone",
                "{}", "say what to change",
                "{\"endpoint\": \"a\", \"ttl\": \"10\"}", "bad ttl '10'",
                "{\"endpoint\": \"a\", \"wieght\": 5}", "unknown key 'wieght'",
                "[1]", "expected a JSON object",
                "{not json", "the body is not JSON");
        cases.forEach((body, reason) -> {
            AdminClient.Answer r = admin.post("/drain", body);
            assertThat(r.status()).as(body).isIn(400, 404);
            assertThat(r.json().get("error").asText()).as(body).contains(reason);
        });
        assertThat(admin.post("/weight", "{\"endpoint\": \"a\"}").json().get("error").asText())
                .contains("'weight' is required");
        assertThat(admin.post("/weight", "{\"endpoint\": \"a\", \"weight\": -1}").status()).isEqualTo(400);
    }

    @Test
    void theOverlaySurvivesAReloadAndStaleEntriesAreListed() throws Exception {
        admin.post("/drain", "{\"endpoint\": \"b\"}");
        admin.post("/weight", "{\"endpoint\": \"a\", \"weight\": 50}");
        try (TestBackend c = TestBackend.start("c")) {
            Files.writeString(file, config(List.of(a, c)));
            AdminClient.Answer r = admin.post("/reload", "{}");
            assertThat(r.status()).isEqualTo(200);
            JsonNode reload = r.json();
            assertThat(reload.get("version").asLong()).isEqualTo(3);
            assertThat(reload.get("config_version").asLong()).isEqualTo(2);
            assertThat(reload.get("reapplied")).extracting(JsonNode::asText).containsExactly("a");
            assertThat(reload.get("stale_overlay")).hasSize(1);
            assertThat(reload.get("stale_overlay").get(0).get("endpoint").asText()).isEqualTo("b");
            assertThat(reload.get("stale_overlay").get(0).get("overlay").get("admin_state").asText())
                    .isEqualTo("draining");

            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
                JsonNode ea = endpoint("a");
                assertThat(ea.get("weight_override").asInt()).isEqualTo(50);
                assertThat(ea.get("effective_weight").asInt()).isEqualTo(50);
                assertThat(endpoint("c").get("status").asText()).isEqualTo("healthy");
            });
            assertThat(admin.get("/overlay").json().get("overlay").fieldNames()).toIterable().containsExactly("a");
            assertThat(admin.get("/status").json().get("config_version").asLong()).isEqualTo(2);
        }
    }

    @Test
    void aBadConfigNeverReplacesTheRunningOne() throws Exception {
        Files.writeString(file, config(List.of(a, b)).replace("cluster: app}", "cluster: nope}"));
        AdminClient.Answer r = admin.post("/reload", "{}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("result").asText()).isEqualTo("rejected");
        assertThat(r.json().get("problems").get(0).asText()).contains("meridian.yaml:").contains("'nope'");
        assertThat(admin.get("/status").json().get("config_version").asLong()).isEqualTo(1);

        Files.writeString(file, config(List.of(a)));
        JsonNode dry = admin.post("/reload", "{\"dry_run\": true}").json();
        assertThat(dry.get("result").asText()).isEqualTo("valid");
        assertThat(admin.get("/status").json().get("config_version").asLong()).isEqualTo(1);
    }

    @Test
    void everyChangeIsAuditedWithoutTheToken() {
        admin.post("/drain", "{\"endpoint\": \"a\", \"dry_run\": true}");
        admin.post("/drain", "{\"endpoint\": \"a\"}");
        new AdminClient(proxy.admin().address()).post("/drain", "{\"endpoint\": \"a\"}");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            List<String> lines = Files.readAllLines(auditFile);
            assertThat(lines).hasSize(3);
            JsonNode refused = Json.MAPPER.readTree(lines.get(2));
            assertThat(refused.get("role").asText()).isEqualTo("unauthenticated");
            assertThat(refused.get("result").asText()).startsWith("refused: 401");
            JsonNode applied = Json.MAPPER.readTree(lines.get(1));
            assertThat(applied.get("caller").asText()).isEqualTo("127.0.0.1");
            assertThat(applied.get("role").asText()).isEqualTo("operator");
            assertThat(applied.get("token").asText()).isEqualTo("ci");
            assertThat(applied.get("action").asText()).isEqualTo("drain");
            assertThat(applied.get("target").get("endpoint").asText()).isEqualTo("a");
            assertThat(applied.get("before").get("a").get("admin_state").asText()).isEqualTo("active");
            assertThat(applied.get("after").get("a").get("admin_state").asText()).isEqualTo("draining");
            assertThat(applied.get("version").asLong()).isEqualTo(1);
            assertThat(applied.get("result").asText()).isEqualTo("applied");
            assertThat(Json.MAPPER.readTree(lines.get(0)).get("result").asText()).isEqualTo("dry_run");
            assertThat(String.join("\n", lines)).doesNotContain(TOKEN);
        });
    }
}
