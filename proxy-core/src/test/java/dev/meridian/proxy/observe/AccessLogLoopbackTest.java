package dev.meridian.proxy.observe;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real sockets: requests through a running proxy become lines in its access log file. */
class AccessLogLoopbackTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestBackend healthy;
    private MeridianServer proxy;

    @BeforeEach
    void start() throws Exception {
        healthy = TestBackend.start("healthy");
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        healthy.close();
    }

    /**
     * Endpoint "dead" (a closed port) comes first in the round robin, so the first request is retried on
     * "healthy"; route "quiet" is sampled at 0.
     */
    private void startProxy(String path, int queue) throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            deadPort = s.getLocalPort();
        }
        proxy = MeridianServer.start(TestConfigs.parse("""
                access_log:
                  path: "%s"
                  queue: %d
                clusters:
                  - name: app
                    endpoints:
                      - {id: dead, address: "127.0.0.1:%d", region: local}
                      - {id: healthy, address: "%s", region: local}
                routes:
                  - name: quiet
                    match: {host: app.test, path_prefix: /quiet}
                    cluster: app
                    access_log: {sample: 0}
                  - name: all
                    match: {host: app.test}
                    cluster: app
                """.formatted(path, queue, deadPort, healthy.address())), 1);
    }

    @Test
    void eachRequestIsOneLineWithItsFields() throws Exception {
        Path log = dir.resolve("logs/access.log");
        startProxy(log.toString(), 1024);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            assertThat(c.get("app.test", "/api/x?token=secret", "X-Request-Id: req-1").status()).isEqualTo(200);
            assertThat(c.get("app.test", "/quiet/y").status()).isEqualTo(200);
            assertThat(c.get("elsewhere.test", "/nothing").status()).isEqualTo(404);
        }

        List<JsonNode> lines = awaitLines(log, 2);
        Map<Integer, JsonNode> byStatus = lines.stream()
                .collect(Collectors.toMap(l -> l.get("status").asInt(), Function.identity()));
        JsonNode proxied = byStatus.get(200);
        assertThat(proxied.get("method").asText()).isEqualTo("GET");
        assertThat(proxied.get("host").asText()).isEqualTo("app.test");
        assertThat(proxied.get("path").asText()).isEqualTo("/api/x");
        assertThat(proxied.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(proxied.get("endpoint").asText()).isEqualTo("healthy");
        assertThat(proxied.get("region").asText()).isEqualTo("local");
        assertThat(proxied.get("attempts").asInt()).isEqualTo(2);
        assertThat(proxied.get("policy").asText()).isEqualTo("weighted");
        assertThat(proxied.get("reason").isNull()).isTrue();
        // The id the upstream saw: 127.0.0.1 is no trusted source, so its own id was replaced by a fresh one.
        String upstreamId = healthy.received().stream().filter(r -> r.uri().startsWith("/api/x")).findFirst()
                .orElseThrow().headers().get("x-request-id");
        assertThat(proxied.get("request_id").asText()).isEqualTo(upstreamId).isNotEqualTo("req-1");
        assertThat(proxied.get("bytes_out").asLong()).isPositive();
        assertThat(proxied.get("duration_ms").asDouble()).isPositive();
        assertThat(proxied.get("time").asText()).endsWith("Z");

        JsonNode notFound = byStatus.get(404);
        assertThat(notFound.get("reason").asText()).startsWith("no route for host 'elsewhere.test'");
        assertThat(notFound.get("endpoint").isNull()).isTrue();
        assertThat(notFound.get("attempts").asInt()).isZero();
        assertThat(lines).noneMatch(l -> l.get("path").asText().startsWith("/quiet"));
    }

    @Test
    void aRequestTheDecoderRefusedIsLoggedWithItsReason() throws Exception {
        Path log = dir.resolve("access.log");
        startProxy(log.toString(), 1024);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            assertThat(c.get("app.test", "/big", "X-Big: " + "x".repeat(70_000)).status()).isEqualTo(431);
        }

        JsonNode line = awaitLines(log, 1).get(0);
        assertThat(line.get("status").asInt()).isEqualTo(431);
        assertThat(line.get("reason").asText()).startsWith("request headers larger than");
        assertThat(line.toString()).doesNotContain("xxxx");
    }

    @Test
    void anUnwritableDirectoryCostsLinesNotRequests() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        startProxy(notADirectory.resolve("access.log").toString(), 1024);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            for (int i = 0; i < 5; i++) {
                assertThat(c.get("app.test", "/api/" + i).status()).isEqualTo(200);
            }
        }
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(proxy.stats().accessLogWriteErrors.sum()).isPositive());
    }

    /** A FIFO nobody reads blocks the writer in open(): the queue fills and stays full, as behind a stuck disk. */
    @Test
    void aFullQueueCountsDropsAndRequestsGoOn() throws Exception {
        Path fifo = dir.resolve("stuck.log");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
        startProxy(fifo.toString(), 16);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            for (int i = 0; i < 40; i++) {
                assertThat(c.get("app.test", "/api/" + i).status()).isEqualTo(200);
            }
        }
        // 16 queued, and one more when the writer took it before blocking. Awaited: a client can read its
        // response just before the proxy hands over the exchange's entry.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(proxy.stats().accessLogDropped.sum()).isBetween(40L - 16 - 1, 40L - 16));
        Thread reader = new Thread(() -> {  // unblocks the writer so close() can flush and end it
            try (InputStream in = Files.newInputStream(fifo)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        proxy.close();
        proxy = null;
        reader.join(5000);
        assertThat(reader.isAlive()).isFalse();
    }

    private static List<JsonNode> awaitLines(Path log, int n) {
        List<JsonNode> lines = new ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            lines.clear();
            List<String> text = Files.exists(log) ? Files.readAllLines(log, UTF_8) : List.of();
            for (String line : text) {
                lines.add(JSON.readTree(line));
            }
            assertThat(lines).hasSize(n);
        });
        return lines;
    }
}
