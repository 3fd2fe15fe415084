package dev.meridian.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.config.ConfigLoader;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.routing.EndpointState;
import dev.meridian.testing.LoadDriver;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload: under load, of a bad file, by the file watcher; one reload path whatever the trigger. */
class HotReloadTest {
    private static final String TOKEN = "operator-secret-0123456789";

    @TempDir
    Path dir;

    private final List<TestBackend> backends = new ArrayList<>();
    private Path file;
    private MeridianServer proxy;
    private AdminClient admin;

    @BeforeEach
    void start() throws Exception {
        for (int i = 0; i < 5; i++) {
            backends.add(TestBackend.start("b" + i));
        }
        file = dir.resolve("meridian.yaml");
        write(config(0));
        proxy = MeridianServer.start(ConfigLoader.load(file).orThrow(), 2);
        admin = new AdminClient(proxy.admin().address(), TOKEN);
    }

    @AfterEach
    void stop() {
        proxy.close();
        backends.forEach(TestBackend::close);
    }

    /**
     * Version {@code i} of the config: b0 in every version (its state, history and connections must survive), two
     * of the others by turns with changing weights, and every other version a second cluster with a route of its own.
     */
    private String config(int i) {
        StringBuilder app = new StringBuilder();
        app.append(endpoint(backends.get(0), 10 + i));
        app.append(endpoint(backends.get(1 + i % 4), 5 + 3 * (i % 5)));
        app.append(endpoint(backends.get(1 + (i + 1) % 4), 20 - i % 7));
        String other = i % 2 == 0 ? "" : """
                  - name: other
                    endpoints:
                      - {id: other-%d, address: %s, region: local}
                """.formatted(i, backends.get(4 - i % 4).address());
        String extraRoute = i % 2 == 0 ? "" : "  - {name: extra-" + i + ", match: {path_prefix: /extra}, cluster: other}\n";
        return """
                listeners: [{address: 127.0.0.1, port: 0}]
                admin:
                  port: 0
                  tokens: [{name: ci, role: operator, token: %s}]
                regions: [{name: local, jurisdiction: US, latitude: 0, longitude: 0}]
                clusters:
                  - name: app
                    policy: weighted
                    endpoints:
                %s%sroutes:
                %s  - {name: all, cluster: app}
                """.formatted(TOKEN, app, other, extraRoute);
    }

    private static String endpoint(TestBackend t, int weight) {
        return "      - {id: " + t.name() + ", address: " + t.address() + ", region: local, weight: " + weight + "}\n";
    }

    /** As deploy tools do: the watcher (when on) never sees a half-written file. */
    private void write(String yaml) throws Exception {
        Path tmp = dir.resolve("meridian.yaml.tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void twentyReloadsUnderLoadFailNoRequest() throws Exception {
        EndpointState b0 = proxy.routing().current().endpoint("b0");
        try (LoadDriver load = LoadDriver.start(proxy.address(), 4, "/delay/3", 60)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.count() >= 20);
            for (int i = 1; i <= 20; i++) {
                write(config(i));
                AdminClient.Answer r = admin.post("/reload", "{}");
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                assertThat(r.json().get("result").asText()).isEqualTo("applied");
                long seen = load.count();
                // Requests in flight across every swap, to endpoints that stay and to endpoints that go.
                await().atMost(Duration.ofSeconds(10)).until(() -> load.count() >= seen + 10);
            }
            load.stop();
            assertThat(load.failures()).isEmpty();
            assertThat(load.count()).isGreaterThan(200);
        }
        assertThat(proxy.routing().current().version()).isEqualTo(21);
        assertThat(proxy.stats().reloadsOk.sum()).isEqualTo(20);
        assertThat(proxy.stats().reloadsFailed.sum()).isZero();
        // b0 kept its state (status, latency history) and its pooled connections: about one per client per loop
        // (a release racing the next request can add one), where dropping them would cost new ones on every reload.
        assertThat(proxy.routing().current().endpoint("b0")).isSameAs(b0);
        assertThat(backends.get(0).connectionsAccepted()).isLessThan(20);
        JsonNode last = admin.get("/status").json().get("last_reload");
        assertThat(last.get("ok").asBoolean()).isTrue();
        assertThat(last.get("trigger").asText()).isEqualTo("admin");
        assertThat(last.get("problems")).isEmpty();
    }

    @Test
    void aBadFileIsRejectedAndTheOldConfigKeepsServing() throws Exception {
        write(config(1).replace("cluster: other}", "cluster: nope}"));
        AdminClient.Answer r = admin.post("/reload", "{}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().get("problems").get(0).asText()).contains("meridian.yaml:").contains("'nope'");

        JsonNode status = admin.get("/status").json();
        assertThat(status.get("config_version").asLong()).isEqualTo(1);
        JsonNode last = status.get("last_reload");
        assertThat(last.get("ok").asBoolean()).isFalse();
        assertThat(last.get("problems").get(0).asText()).contains("'nope'");
        assertThat(last.get("at").asText()).isNotBlank();
        assertThat(proxy.stats().reloadsFailed.sum()).isEqualTo(1);
        assertThat(proxy.stats().reloadsOk.sum()).isZero();
        try (LoadDriver load = LoadDriver.start(proxy.address(), 2, "/", 10)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.count() >= 20);
            load.stop();
            assertThat(load.failures()).isEmpty();
        }
    }

    @Test
    void theWatcherReloadsAChangedFileByItselfAndIgnoresATouch() throws Exception {
        assertThat(proxy.admin().watchConfigFile(Duration.ofMillis(50))).isTrue();
        write(config(1));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(proxy.routing().current().version()).isEqualTo(2);
            assertThat(proxy.routing().current().endpoint("other-1")).isNotNull();
            // Recorded just after the table is published.
            assertThat(proxy.admin().lastReload()).isNotNull();
        });
        assertThat(proxy.admin().lastReload().trigger()).isEqualTo("file");

        // Same bytes, new file: events fire, nothing reloads. Then a real change shows the watcher still runs.
        write(config(1));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        write(config(1).replace("weight: 11", "weight: 12"));
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.stats().reloadsOk.sum() == 2);
        assertThat(proxy.routing().current().version()).isEqualTo(3);

        write(config(1).replace("cluster: other}", "cluster: nope}"));
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.stats().reloadsFailed.sum() == 1);
        assertThat(proxy.admin().lastReload().ok()).isFalse();
        assertThat(proxy.routing().current().version()).isEqualTo(3);
        assertThat(proxy.stats().reloadsOk.sum()).as("the rewrite with the same bytes reloaded nothing").isEqualTo(2);
    }

    @Test
    void anEndpointMovedToANewAddressGetsNoRequestOnItsOldConnections() throws Exception {
        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            for (int i = 0; i < 20; i++) {
                client.get("load.test", "/");   // warm b0's pooled keep-alive connections
            }
            write(config(0).replace(backends.get(0).address(), backends.get(3).address()));
            assertThat(admin.post("/reload", "{}").status()).isEqualTo(200);
            int before = backends.get(0).received().size();
            for (int i = 0; i < 30; i++) {
                assertThat(client.get("load.test", "/").status()).isEqualTo(200);
            }
            assertThat(backends.get(0).received()).hasSize(before);
        }
    }

    @Test
    void anyTriggerRunsTheSameReload() throws Exception {
        write(config(2));
        ReloadOutcome outcome = proxy.admin().reload("sighup").get();
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.trigger()).isEqualTo("sighup");
        assertThat(proxy.routing().current().version()).isEqualTo(2);
        assertThat(admin.get("/status").json().get("last_reload").get("trigger").asText()).isEqualTo("sighup");
    }
}
