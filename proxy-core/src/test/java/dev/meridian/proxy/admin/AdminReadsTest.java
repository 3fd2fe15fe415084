package dev.meridian.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every read of the admin port, over a real socket, against a proxy with two checked backends. */
class AdminReadsTest {
    private TestBackend a;
    private TestBackend b;
    private MeridianServer proxy;
    private AdminClient admin;
    private boolean shutDown;

    @BeforeEach
    void start() throws Exception {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    health_check: {path: /health, interval: 200ms, timeout: 1s}
                    endpoints:
                      - {id: a, address: %s, region: local, capacity: 50}
                      - {id: b, address: %s, region: local, weight: 300, capacity: 150}
                routes:
                  - name: all
                    match: {host: api.test}
                    cluster: app
                """.formatted(a.address(), b.address())), 1);
        admin = new AdminClient(proxy.admin().address());
    }

    @AfterEach
    void stop() throws Exception {
        if (!shutDown) {
            proxy.close();
        }
        a.close();
        b.close();
    }

    @Test
    void healthzAndReadyOnceTheFirstHealthRoundIsDone() {
        assertThat(admin.get("/healthz").json().get("status").asText()).isEqualTo("alive");
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.get("/ready").status() == 200);
        assertThat(admin.get("/ready").json().get("ready").asBoolean()).isTrue();
    }

    @Test
    void readyIs503WhileTheProxyDrains() throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.get("/ready").status() == 200);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("GET /delay/1500 HTTP/1.1\r\nHost: api.test\r\n\r\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.activeExchanges() == 1);
            CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(
                    () -> proxy.shutdownGracefully(Duration.ofSeconds(10)));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                AdminClient.Answer ready = admin.get("/ready");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.json().get("reason").asText()).contains("draining");
            });
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(shutdown.join()).isTrue();
            shutDown = true;
        }
    }

    @Test
    void statusClustersEndpointsRoutesAndEvents() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            for (int i = 0; i < 4; i++) {
                assertThat(c.get("api.test", "/x").status()).isEqualTo(200);
            }
        }
        JsonNode status = admin.get("/status").json();
        assertThat(status.get("config_version").asLong()).isEqualTo(1);
        assertThat(status.get("config_source").asText()).isEqualTo("test.yaml");
        assertThat(status.get("runtime_version").asLong()).isZero();
        assertThat(status.get("uptime_seconds").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(status.get("regions").get(0).get("name").asText()).isEqualTo("local");
        assertThat(status.get("clusters").get(0).get("status").asText()).isEqualTo("healthy");

        JsonNode clusters = admin.get("/clusters").json();
        assertThat(clusters.get(0).get("name").asText()).isEqualTo("app");
        assertThat(clusters.get(0).get("eligible").asInt()).isEqualTo(2);
        assertThat(clusters.get(0).get("levels").get(0).get("members")).hasSize(2);

        JsonNode endpoints = admin.get("/endpoints").json();
        assertThat(endpoints).hasSize(2);
        JsonNode eb = endpoints.get(1);
        assertThat(eb.get("id").asText()).isEqualTo("b");
        assertThat(eb.get("status").asText()).isEqualTo("healthy");
        assertThat(eb.get("configured_weight").asInt()).isEqualTo(300);
        assertThat(eb.get("effective_weight").asInt()).isEqualTo(300);
        assertThat(eb.get("weight_override").isNull()).isTrue();
        assertThat(eb.get("capacity").asInt()).isEqualTo(150);
        assertThat(eb.get("in_flight").asInt()).isZero();
        assertThat(eb.get("success_rate").asDouble()).isEqualTo(1.0);
        assertThat(eb.has("rps")).isTrue();
        assertThat(eb.has("p50_ms")).isTrue();
        assertThat(eb.has("p99_ms")).isTrue();
        long total = endpoints.get(0).get("requests_total").asLong() + eb.get("requests_total").asLong();
        assertThat(total).isEqualTo(4);

        JsonNode routes = admin.get("/routes").json();
        assertThat(routes.get(0).get("name").asText()).isEqualTo("all");
        assertThat(routes.get(0).get("match").get("host").asText()).isEqualTo("api.test");
        assertThat(routes.get(0).get("cluster").asText()).isEqualTo("app");

        JsonNode events = admin.get("/events").json();
        assertThat(events.get("total").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(events.get("events").isArray()).isTrue();
        assertThat(admin.get("/overlay").json().get("overlay").isEmpty()).isTrue();
    }

    @Test
    void endpointsShowTheLastTransitionAndItsCause() {
        b.fault(TestBackend.Fault.CLOSE);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode eb = admin.get("/endpoints").json().get(1);
            assertThat(eb.get("status").asText()).isEqualTo("unhealthy");
            assertThat(eb.get("last_transition").get("to").asText()).isEqualTo("unhealthy");
            assertThat(eb.get("last_transition").get("cause").asText()).startsWith("active check");
        });
        JsonNode events = admin.get("/events").json().get("events");
        assertThat(events.get(events.size() - 1).get("endpoint").asText()).isEqualTo("b");
    }

    @Test
    void explainsARoutingDecision() {
        JsonNode d = admin.get("/explain?host=api.test&path=/v1&client_ip=127.0.0.1&header=x-a:1").json();
        assertThat(d.get("route").asText()).isEqualTo("all");
        assertThat(d.get("cluster").asText()).isEqualTo("app");
        assertThat(d.get("candidates")).hasSize(2);
        assertThat(d.get("winner").asText()).isIn("a", "b");
        assertThat(d.get("outcome").asText()).startsWith("proxied to");

        JsonNode none = admin.get("/explain?host=other.test&path=/").json();
        assertThat(none.get("route").isNull()).isTrue();
        assertThat(none.get("outcome").asText()).startsWith("404");
        assertThat(admin.get("/explain?client_ip=not-an-ip").status()).isEqualTo(400);
        assertThat(admin.get("/explain?header=novalue").status()).isEqualTo(400);
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            assertThat(c.get("api.test", "/x").status()).isEqualTo(200);
            assertThat(c.get("nowhere.test", "/x").status()).isEqualTo(404);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String text = admin.get("/metrics").body();
            assertThat(text).contains("meridian_requests_total 2.0");
            assertThat(text).contains("meridian_no_route_total 1.0");
            String labelsA = "{cluster=\"app\",endpoint=\"a\",region=\"local\"}";
            String labelsB = "{cluster=\"app\",endpoint=\"b\",region=\"local\"}";
            assertThat(text).contains("meridian_endpoint_in_flight" + labelsA);
            assertThat(text).contains("meridian_endpoint_effective_weight" + labelsB + " 300.0");
            assertThat(text).contains("meridian_endpoint_up" + labelsB + " 1.0");
        });
    }

    @Test
    void unknownPathsAndWrongMethodsSayWhatExists() {
        AdminClient.Answer missing = admin.get("/nope");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").asText()).contains("/endpoints").contains("/drain");
        assertThat(admin.get("/drain").status()).isEqualTo(405);
        assertThat(admin.post("/status", "{}").status()).isEqualTo(405);
    }
}
