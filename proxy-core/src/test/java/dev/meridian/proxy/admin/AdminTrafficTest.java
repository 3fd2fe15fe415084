package dev.meridian.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.config.ConfigLoader;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failover shifts and the continuity level through the admin port, over real sockets, with the audit log. */
class AdminTrafficTest {
    private static final String OPERATOR = "operator-secret-0123456789";
    private static final String VIEWER = "viewer-secret-0123456789";

    @TempDir
    Path dir;

    private TestBackend a;
    private TestBackend b;
    private TestBackend c;
    private Path auditFile;
    private MeridianServer proxy;
    private AdminClient admin;
    private RawHttpClient client;

    /** a and b in east, c in west; routes /t0/ of tier 0 and /t2/ of tier 2. */
    @BeforeEach
    void start() throws Exception {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        c = TestBackend.start("c");
        Path file = dir.resolve("meridian.yaml");
        auditFile = dir.resolve("audit.jsonl");
        Files.writeString(file, """
                listeners: [{address: 127.0.0.1, port: 0}]
                admin:
                  port: 0
                  audit_log: audit.jsonl
                  tokens:
                    - {name: ci, role: operator, token: %s}
                    - {name: dash, role: viewer, token: %s}
                regions:
                  - {name: east, jurisdiction: US, latitude: 40, longitude: -74}
                  - {name: west, jurisdiction: US, latitude: 37, longitude: -122}
                clusters:
                  - name: app
                    endpoints:
                      - {id: a, address: "%s", region: east}
                      - {id: b, address: "%s", region: east}
                      - {id: c, address: "%s", region: west, priority: 1}
                routes:
                  - {name: t0, match: {path_prefix: /t0/}, cluster: app, tier: 0}
                  - {name: t2, match: {path_prefix: /t2/}, cluster: app, tier: 2}
                """.formatted(OPERATOR, VIEWER, a.address(), b.address(), c.address()));
        proxy = MeridianServer.start(ConfigLoader.load(file).orThrow(), 2);
        admin = new AdminClient(proxy.admin().address(), OPERATOR);
        client = new RawHttpClient(proxy.address());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        proxy.close();
        a.close();
        b.close();
        c.close();
    }

    private JsonNode failover(int id) {
        for (JsonNode f : admin.get("/failovers").json().get("failovers")) {
            if (f.get("id").asInt() == id) {
                return f;
            }
        }
        throw new AssertionError("no failover " + id + " listed");
    }

    private String audit() throws Exception {
        return Files.exists(auditFile) ? Files.readString(auditFile) : "";
    }

    @Test
    void aGradualShiftStartedThroughTheAdminPortIsListedAndCompletes() throws Exception {
        AdminClient.Answer started = admin.post("/failovers", """
                {"cluster": "app", "from": {"region": "east"}, "to": {"region": "west"}, "strategy": "gradual",
                 "steps": [50, 100], "hold": "100ms", "guard": {"max_error_percent": 10}, "max_shift_rate": 0}""");
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        JsonNode f = started.json();
        assertThat(f.get("version").asLong()).isEqualTo(1);
        int id = f.get("failover").get("id").asInt();
        assertThat(f.get("failover").get("from").get("region").asText()).isEqualTo("east");
        assertThat(f.get("failover").get("cause").asText()).contains("ci from 127.0.0.1");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode listed = failover(id);
            assertThat(listed.get("state").asText()).isEqualTo("completed");
            assertThat(listed.get("percent").asDouble()).isEqualTo(100.0);
            assertThat(listed.get("end_reason").isNull()).isFalse();
        });
        JsonNode listed = failover(id);
        List<Double> percents = new ArrayList<>();
        listed.get("steps").forEach(s -> percents.add(s.get("percent").asDouble()));
        assertThat(percents).containsExactly(0.0, 50.0, 100.0);
        assertThat(listed.get("sources")).extracting(JsonNode::asText).containsExactly("a", "b");
        assertThat(listed.get("targets")).extracting(JsonNode::asText).containsExactly("c");
        assertThat(listed.get("hold_ms").asLong()).isEqualTo(100);
        assertThat(listed.get("guard").get("max_error_percent").asDouble()).isEqualTo(10.0);
        assertThat(listed.get("baseline").has("error_percent")).isTrue();

        for (int i = 0; i < 10; i++) {
            assertThat(client.get("app", "/t0/x").header("x-backend")).isEqualTo("c");
        }
        // The health ring now holds failover events, which have no statuses.
        JsonNode events = admin.get("/events").json().get("events");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("kind").asText()).isEqualTo("failover");
            assertThat(e.get("endpoint").asText()).isEqualTo("failover " + id);
            assertThat(e.get("from").isNull()).isTrue();
            assertThat(e.get("to").isNull()).isTrue();
        });
        assertThat(admin.get("/endpoints").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(audit())
                .contains("\"action\":\"failover start\"").contains("\"token\":\"ci\"").contains("\"result\":\"applied\""));
    }

    @Test
    void pauseResumeAndAbortRollTheShiftBack() throws Exception {
        int id = admin.post("/failovers", """
                {"cluster": "app", "from": {"priority": 0}, "to": {"endpoints": ["c"]}, "steps": [50, 100],
                 "hold": "30s"}""").json().get("failover").get("id").asInt();
        await().atMost(Duration.ofSeconds(5)).until(() -> failover(id).get("percent").asDouble() == 50.0);

        JsonNode paused = admin.post("/failovers/pause", "{\"id\": " + id + "}").json();
        assertThat(paused.get("before").get("state").asText()).isEqualTo("running");
        assertThat(paused.get("failover").get("state").asText()).isEqualTo("paused");
        assertThat(admin.post("/failovers/pause", "{\"id\": " + id + "}").status()).isEqualTo(409);
        assertThat(admin.post("/failovers/resume", "{\"id\": " + id + "}").json().get("failover").get("state")
                .asText()).isEqualTo("running");
        AdminClient.Answer second = admin.post("/failovers", """
                {"cluster": "app", "from": {"region": "east"}, "to": {"region": "west"}}""");
        assertThat(second.status()).as("one shift per cluster").isEqualTo(409);
        assertThat(second.json().get("error").asText()).contains("abort it first");

        JsonNode aborted = admin.post("/failovers/abort", "{\"id\": " + id + ", \"reason\": \"test\"}").json();
        assertThat(aborted.get("failover").get("state").asText()).isEqualTo("aborted");
        assertThat(aborted.get("failover").get("percent").asDouble()).isZero();
        assertThat(failover(id).get("end_reason").asText()).contains("aborted by admin: ci");
        for (int i = 0; i < 10; i++) {
            assertThat(client.get("app", "/t0/x").header("x-backend")).isIn("a", "b");
        }
        assertThat(admin.post("/failovers/abort", "{\"id\": " + id + "}").status()).isEqualTo(409);
        assertThat(admin.post("/failovers/abort", "{\"id\": 99}").status()).isEqualTo(404);
        assertThat(admin.get("/status").json().get("runtime_version").asLong()).isEqualTo(4);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(audit())
                .contains("\"action\":\"failover pause\"").contains("\"action\":\"failover resume\"")
                .contains("\"action\":\"failover abort\"").contains("\"reason\":\"test\""));
    }

    @Test
    void badRequestsAndCallersWithoutAnOperatorTokenAreRefused() throws Exception {
        String body = "{\"cluster\": \"app\", \"from\": {\"region\": \"east\"}, \"to\": {\"region\": \"west\"}}";
        assertThat(admin.withToken(null).post("/failovers", body).status()).isEqualTo(401);
        assertThat(admin.withToken(VIEWER).post("/failovers", body).status()).isEqualTo(403);
        assertThat(admin.withToken(VIEWER).post("/continuity", "{\"level\": \"halt\"}").status()).isEqualTo(403);
        assertThat(admin.withToken(null).get("/failovers").status()).as("reads are open on loopback").isEqualTo(200);
        assertThat(admin.get("/failovers").json().get("failovers")).isEmpty();

        AdminClient.Answer typo = admin.post("/failovers", body.replace("\"west\"", "\"wets\""));
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.json().get("error").asText()).contains("unknown region 'wets'").contains("west")
                .doesNotContain("\n");
        assertThat(admin.post("/failovers", "{\"cluster\": \"app\", \"from\": {\"region\": \"east\"}, "
                + "\"to\": {\"region\": \"east\"}}").json().get("error").asText()).contains("share endpoints");
        assertThat(admin.post("/failovers", body.replace("}}", "}, \"trigger\": \"failed\"}")).json().get("error")
                .asText()).contains("unknown key 'trigger'");
        assertThat(admin.post("/failovers", body.replace("\"app\"", "\"apq\"")).json().get("error").asText())
                .contains("unknown cluster 'apq'").contains("did you mean 'app'");
        assertThat(admin.post("/failovers", "").status()).isEqualTo(400);
        assertThat(admin.post("/continuity", "{\"level\": \"safe\"}").json().get("error").asText())
                .contains("full, essential, safe_mode, halt");
        assertThat(admin.get("/failovers").json().get("failovers")).isEmpty();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(audit())
                .contains("\"result\":\"refused: 401").contains("\"result\":\"refused: 403")
                .contains("\"result\":\"refused: 400 unknown region 'wets'"));
    }

    @Test
    void continuityLevelsShedTiersAndTheAdminPortStillAnswersAtHalt() throws Exception {
        assertThat(admin.get("/continuity").json().get("level").asText()).isEqualTo("full");
        assertThat(client.get("app", "/t2/x").status()).isEqualTo(200);

        JsonNode safe = admin.post("/continuity", "{\"level\": \"safe_mode\", \"reason\": \"incident\"}").json();
        assertThat(safe.get("before").asText()).isEqualTo("full");
        assertThat(safe.get("after").asText()).isEqualTo("safe_mode");
        assertThat(safe.get("version").asLong()).isEqualTo(1);
        assertThat(client.get("app", "/t2/x").status()).isEqualTo(503);
        assertThat(client.get("app", "/t0/x").status()).isEqualTo(200);

        admin.post("/continuity", "{\"level\": \"halt\"}");
        assertThat(client.get("app", "/t0/x").status()).isEqualTo(503);
        assertThat(admin.get("/healthz").status()).isEqualTo(200);
        assertThat(admin.get("/continuity").json().get("level").asText()).isEqualTo("halt");

        JsonNode full = admin.post("/continuity", "{\"level\": \"full\"}").json();
        assertThat(full.get("before").asText()).isEqualTo("halt");
        assertThat(client.get("app", "/t2/x").status()).isEqualTo(200);
        JsonNode same = admin.post("/continuity", "{\"level\": \"full\"}").json();
        assertThat(same.get("changed").asBoolean()).isFalse();
        assertThat(same.get("version").asLong()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(audit())
                .contains("\"action\":\"continuity\",\"target\":{\"reason\":\"incident\"}")
                .contains("\"before\":\"full\",\"after\":\"safe_mode\"")
                .contains("\"before\":\"halt\",\"after\":\"full\""));
    }
}
