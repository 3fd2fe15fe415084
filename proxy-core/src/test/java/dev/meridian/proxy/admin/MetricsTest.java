package dev.meridian.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics} after real traffic through a loopback proxy: the main series, their values and their labels. */
class MetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private TestBackend a;
    private TestBackend b;
    private TestBackend slow;
    private MeridianServer proxy;
    private AdminClient admin;

    @BeforeEach
    void start() throws Exception {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        slow = TestBackend.start("slow");
        int deadPort = closedPort();
        int downPort1 = closedPort();
        int downPort2 = closedPort();
        proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    endpoints:
                      - {id: a, address: %s, region: local}
                  - name: gone
                    endpoints:
                      - {id: dead, address: "127.0.0.1:%d", region: local}
                      - {id: b, address: %s, region: local}
                  - name: down
                    endpoints:
                      - {id: down1, address: "127.0.0.1:%d", region: local}
                      - {id: down2, address: "127.0.0.1:%d", region: local}
                  - name: tight
                    circuit_breaker:
                      max_requests: 1
                    endpoints:
                      - {id: slow, address: %s, region: local}
                routes:
                  - name: api
                    match: {path_prefix: /api}
                    cluster: app
                  - name: flaky
                    match: {path_prefix: /gone}
                    cluster: gone
                  - name: narrow
                    match: {path_prefix: /delay}
                    cluster: tight
                  - name: nothing
                    match: {path_prefix: /down}
                    cluster: down
                """.formatted(a.address(), deadPort, b.address(), downPort1, downPort2, slow.address())), 1);
        admin = new AdminClient(proxy.admin().address());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        a.close();
        b.close();
        slow.close();
    }

    @Test
    void mainSeriesCountWhatTheTrafficDid() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            for (int i = 0; i < 5; i++) {
                assertThat(c.get("x", "/api/" + i).status()).isEqualTo(200);
            }
            assertThat(c.get("x", "/nowhere").status()).isEqualTo(404);
            // A connect to the dead endpoint fails (and ejects it) and the request is retried on b.
            for (int i = 0; i < 50 && proxy.stats().connectFailures.sum() == 0; i++) {
                assertThat(c.get("x", "/gone/" + i).status()).isEqualTo(200);
            }
        }
        assertThat(proxy.stats().connectFailures.sum()).isEqualTo(1);
        try (RawHttpClient holder = new RawHttpClient(proxy.address());
             RawHttpClient refused = new RawHttpClient(proxy.address())) {
            holder.send("GET /delay/1000 HTTP/1.1\r\nHost: x\r\n\r\n");
            await().atMost(WAIT).until(() -> slow.received().size() == 1);
            assertThat(refused.get("x", "/delay/1").status()).isEqualTo(503);
            assertThat(holder.read().status()).isEqualTo(200);
        }

        await().atMost(WAIT).untilAsserted(() -> {
            String text = admin.get("/metrics").body();
            assertThat(text)
                    .contains("meridian_downstream_requests_total{route=\"api\",status_class=\"2xx\"} 5.0")
                    .contains("meridian_downstream_requests_total{route=\"api\",status_class=\"5xx\"} 0.0")
                    .contains("meridian_downstream_requests_total{route=\"_none\",status_class=\"4xx\"} 1.0")
                    .contains("meridian_downstream_requests_total{route=\"narrow\",status_class=\"5xx\"} 1.0")
                    .contains("meridian_downstream_requests_total{route=\"narrow\",status_class=\"2xx\"} 1.0")
                    .contains("meridian_upstream_requests_total{cluster=\"app\",endpoint=\"a\",region=\"local\"} 5.0")
                    .contains("meridian_upstream_connect_failures_total{cluster=\"gone\",endpoint=\"dead\","
                            + "region=\"local\"} 1.0")
                    .contains("meridian_upstream_retries_total{cluster=\"gone\",endpoint=\"b\",region=\"local\"} 1.0")
                    .contains("meridian_upstream_retries_total{cluster=\"gone\",endpoint=\"dead\",region=\"local\"}"
                            + " 0.0")
                    .contains("meridian_endpoint_connections_opened_total{cluster=\"gone\",endpoint=\"dead\","
                            + "region=\"local\"} 0.0")
                    .contains("meridian_upstream_connections_open{cluster=\"app\"} ")
                    .contains("meridian_upstream_pending{cluster=\"app\"} 0.0")
                    .doesNotContain("meridian_upstream_connections_open{cluster=\"app\"} 0.0")
                    .contains("meridian_circuit_breaker_rejections_total{cluster=\"tight\",limit=\"max_requests\"} 1.0")
                    .contains("meridian_circuit_breaker_rejections_total{cluster=\"app\",limit=\"max_requests\"} 0.0")
                    .contains("meridian_circuit_breaker_rejections_total{cluster=\"tight\",limit=\"max_pending\"} 0.0")
                    .doesNotContain("meridian_circuit_breaker_rejections_total{limit=")
                    .contains("meridian_endpoint_ejections_total{cluster=\"gone\"} 1.0")
                    .contains("meridian_endpoint_transitions_total{cluster=\"gone\",from=\"healthy\","
                            + "to=\"ejected\"} 1.0")
                    .contains("meridian_failover_detection_seconds_count{cluster=\"gone\"} 1")
                    .contains("meridian_failover_detection_seconds_bucket{cluster=\"gone\",le=\"1.0\"} 1")
                    .contains("meridian_endpoint_effective_weight{cluster=\"app\",endpoint=\"a\",region=\"local\"}")
                    .contains("meridian_endpoint_up{cluster=\"gone\",endpoint=\"dead\",region=\"local\"} 0.0")
                    .contains("meridian_shed_requests_total{reason=\"load\",tier=\"2\"} 0.0")
                    .contains("meridian_config_reloads_total{result=\"failed\"} 0.0")
                    .contains("meridian_downstream_in_flight 0.0")
                    .contains("meridian_downstream_connections_open")
                    .contains("meridian_upstream_latency_seconds_bucket{cluster=\"app\",le=\"+Inf\"} 5")
                    .contains("meridian_upstream_latency_seconds_count{cluster=\"app\"} 5")
                    .contains("meridian_upstream_latency_seconds_sum{cluster=\"app\"}")
                    .contains("meridian_upstream_latency_quantile_seconds{cluster=\"app\",quantile=\"0.99\"}")
                    .contains("meridian_netty_allocator_used_bytes{allocator=\"default\",memory=\"direct\"}")
                    .contains("jvm_memory_used_bytes{")
                    .contains("jvm_threads_live_threads")
                    .contains("jvm_gc_");
        });
        String text = admin.get("/metrics").body();
        // The slow request's latency lands in a bucket of a second or so; the fast ones in the lowest buckets.
        assertThat(value(text, "meridian_upstream_latency_seconds_bucket{cluster=\"tight\",le=\"0.5\"}")).isZero();
        assertThat(value(text, "meridian_upstream_latency_seconds_bucket{cluster=\"tight\",le=\"2.5\"}")).isOne();
        assertThat(value(text, "meridian_upstream_latency_quantile_seconds{cluster=\"tight\",quantile=\"0.5\"}"))
                .isBetween(0.9, 5.0);
    }

    @Test
    void aRetryIsCountedOnTheEndpointItWasSentTo() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            // Both endpoints refuse: the first try fails, its one retry goes to the other and fails too.
            assertThat(c.get("x", "/down").status()).isEqualTo(502);
        }
        String text = admin.get("/metrics").body();
        String down1 = "{cluster=\"down\",endpoint=\"down1\",region=\"local\"}";
        String down2 = "{cluster=\"down\",endpoint=\"down2\",region=\"local\"}";
        double retried1 = value(text, "meridian_upstream_retries_total" + down1);
        double retried2 = value(text, "meridian_upstream_retries_total" + down2);
        assertThat(retried1 + retried2).isEqualTo(1.0);
        String retried = retried1 == 1.0 ? down1 : down2;
        assertThat(value(text, "meridian_upstream_connect_failures_total" + retried)).isEqualTo(1.0);
        assertThat(value(text, "meridian_upstream_requests_total" + retried)).isEqualTo(1.0);
    }

    @Test
    void upstreamConnectionsPerEndpointGoUpWhilePooledAndDownWhenClosed() throws Exception {
        String series = "{cluster=\"app\",endpoint=\"a\",region=\"local\"}";
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.get("x", "/api/" + i).status()).isEqualTo(200);
            }
        }
        // The keep-alive connection to a stays in the pool once the exchanges are over.
        String pooled = admin.get("/metrics").body();
        double opened = value(pooled, "meridian_endpoint_connections_opened_total" + series);
        assertThat(opened).isBetween(1.0, 3.0);
        assertThat(value(pooled, "meridian_endpoint_connections_open" + series)).isEqualTo(opened);
        assertThat(value(pooled, "meridian_endpoint_connections_closed_total" + series)).isZero();

        a.close();   // the backend goes away with its connections
        await().atMost(WAIT).untilAsserted(() -> {
            String closed = admin.get("/metrics").body();
            assertThat(value(closed, "meridian_endpoint_connections_open" + series)).isZero();
            assertThat(value(closed, "meridian_endpoint_connections_closed_total" + series)).isEqualTo(opened);
        });
    }

    @Test
    void requestPathsAndClientAddressesNeverBecomeLabels() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            assertThat(c.get("x", "/api/first").status()).isEqualTo(200);
            assertThat(c.get("x", "/first-unrouted").status()).isEqualTo(404);
        }
        Set<String> before = series(admin.get("/metrics").body());
        for (int i = 0; i < 20; i++) {
            try (RawHttpClient c = new RawHttpClient(proxy.address())) {   // a new client port each time
                assertThat(c.get("x", "/api/path-" + i + "?q=" + i).status()).isEqualTo(200);
                assertThat(c.get("x", "/unrouted-" + i).status()).isEqualTo(404);
            }
        }
        String text = admin.get("/metrics").body();
        assertThat(series(text)).isEqualTo(before);
        assertThat(text).doesNotContain("path-").doesNotContain("unrouted").doesNotContain("127.0.0.1");
        assertThat(value(text, "meridian_downstream_requests_total{route=\"api\",status_class=\"2xx\"}"))
                .isEqualTo(21.0);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();  // closed again at once: connects there are refused
        }
    }

    /** The names and labels of the meridian series, without their values. */
    private static Set<String> series(String text) {
        Set<String> out = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("meridian_")) {
                out.add(line.substring(0, line.lastIndexOf(' ')));
            }
        }
        return out;
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        assertThat(m.find()).as("series %s in%n%s", series, text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
