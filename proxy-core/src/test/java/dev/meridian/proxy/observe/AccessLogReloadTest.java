package dev.meridian.proxy.observe;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meridian.config.ConfigLoader;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.testing.LoadDriver;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

/**
 * Real sockets: a reload through the admin port switches the top-level access log, and every request lands in the log
 * that was in force when it arrived, including requests in flight across the swap.
 */
class AccessLogReloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "operator-secret-0123456789";
    private static final String HANG = "GET /hang HTTP/1.1\r\nHost: app.test\r\n\r\n";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private OutputStream realStdout;
    private TestBackend backend;
    private Path file;
    private MeridianServer proxy;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        realStdout = StdoutSink.redirectForTest(stdout);
        backend = TestBackend.start("b");
        file = dir.resolve("meridian.yaml");
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        backend.close();
        StdoutSink.redirectForTest(realStdout);
    }

    private String config(String accessLog, int weight) {
        return """
                listeners: [{address: 127.0.0.1, port: 0}]
                admin:
                  port: 0
                  tokens: [{name: ci, role: operator, token: %s}]
                regions: [{name: local, jurisdiction: US, latitude: 0, longitude: 0}]
                %s
                clusters:
                  - name: app
                    endpoints:
                      - {id: b, address: "%s", region: local, weight: %d}
                routes:
                  - {name: all, cluster: app}
                """.formatted(TOKEN, accessLog, backend.address(), weight);
    }

    private static String toFile(Path path, String more) {
        return "access_log: {path: \"" + path + "\"" + more + "}";
    }

    private void startProxy(String accessLog) throws Exception {
        write(config(accessLog, 1));
        proxy = MeridianServer.start(ConfigLoader.load(file).orThrow(), 2);
    }

    private void write(String yaml) throws IOException {
        Path tmp = dir.resolve("meridian.yaml.tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes the file and reloads it through the admin port: the path the watcher and SIGHUP take too. */
    private JsonNode reload(String accessLog, int weight, int expectedStatus) throws Exception {
        write(config(accessLog, weight));
        var admin = proxy.admin().address();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + admin.getHostString() + ":"
                        + admin.getPort() + "/reload"))
                .header("authorization", "Bearer " + TOKEN).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(expectedStatus);
        return JSON.readTree(r.body());
    }

    /** A dry run of that file: the answer, whatever its status. */
    private JsonNode dryRunReload(String accessLog) throws Exception {
        write(config(accessLog, 1));
        var admin = proxy.admin().address();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + admin.getHostString() + ":"
                        + admin.getPort() + "/reload"))
                .header("authorization", "Bearer " + TOKEN).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"dry_run\": true}")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private JsonNode reload(String accessLog) throws Exception {
        JsonNode answer = reload(accessLog, 1, 200);
        assertThat(answer.get("result").asText()).isEqualTo("applied");
        return answer;
    }

    private JsonNode status() throws Exception {
        var admin = proxy.admin().address();
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://" + admin.getHostString() + ":"
                + admin.getPort() + "/status")).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private void get(String path) throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            assertThat(c.get("app.test", path).status()).isEqualTo(200);
        }
    }

    /** A request the backend never answers: in flight until the client closes, whatever reloads happen meanwhile. */
    private RawHttpClient hang() throws IOException {
        long before = hangsReceived();
        RawHttpClient c = new RawHttpClient(proxy.address());
        c.send(HANG);
        await().atMost(Duration.ofSeconds(5)).until(() -> hangsReceived() > before);
        return c;
    }

    private long hangsReceived() {
        return backend.received().stream().filter(r -> r.uri().equals("/hang")).count();
    }

    private static List<String> paths(Path log) throws IOException {
        return Files.exists(log) ? paths(Files.readString(log, UTF_8)) : List.of();
    }

    private static List<String> paths(String text) throws IOException {
        List<String> paths = new ArrayList<>();
        for (String line : text.lines().toList()) {
            paths.add(JSON.readTree(line).get("path").asText());
        }
        return paths;
    }

    @Test
    void offToFileToAnotherFileToStdoutToOffPutsEachRequestInTheLogOfItsArrival() throws Exception {
        Path a = dir.resolve("new-dir/a.log");
        Path b = dir.resolve("b.log");
        startProxy("");
        get("/off-1");

        reload(toFile(a, ""));
        get("/a-1");
        LoadDriver load = LoadDriver.start(proxy.address(), 3, "/delay/2", 60);
        await().atMost(Duration.ofSeconds(10)).until(() -> load.count() >= 20);
        try (RawHttpClient inFlight = hang()) {
            reload(toFile(b, ""));
            get("/b-1");
        }
        long seen = load.count();
        await().atMost(Duration.ofSeconds(10)).until(() -> load.count() >= seen + 20);
        try (RawHttpClient inFlight = hang()) {
            reload("access_log: {path: \"-\"}");
            get("/stdout-1");
        }
        long seen2 = load.count();
        await().atMost(Duration.ofSeconds(10)).until(() -> load.count() >= seen2 + 20);
        load.stop();
        try (RawHttpClient inFlight = hang()) {
            reload("");
            get("/off-2");
        }
        // Each replaced log closes once its last exchange has handed over its line.
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.accessLog().retiring() == 0);

        List<String> inA = paths(a);
        List<String> inB = paths(b);
        List<String> inStdout;
        synchronized (stdout) {
            inStdout = paths(stdout.toString(UTF_8));
        }
        assertThat(inA).contains("/a-1").containsOnlyOnce("/hang").doesNotContain("/b-1", "/stdout-1");
        assertThat(inB).contains("/b-1").containsOnlyOnce("/hang").doesNotContain("/a-1", "/stdout-1");
        assertThat(inStdout).contains("/stdout-1").containsOnlyOnce("/hang").doesNotContain("/a-1", "/b-1");
        List<String> all = new ArrayList<>(inA);
        all.addAll(inB);
        all.addAll(inStdout);
        assertThat(all).doesNotContain("/off-1", "/off-2");
        assertThat(load.failures()).isEmpty();
        assertThat(all.stream().filter("/delay/2"::equals).count()).isEqualTo(load.count());
        assertThat(inA).contains("/delay/2");
        assertThat(inB).contains("/delay/2");
        assertThat(inStdout).contains("/delay/2");
        assertThat(proxy.stats().accessLogDropped.sum()).isZero();
        assertThat(proxy.stats().accessLogWriteErrors.sum()).isZero();
        assertThat(proxy.stats().reloadsOk.sum()).isEqualTo(4);
    }

    @Test
    void anUnchangedSectionKeepsItsWriterAndNewRotationSizesReopenTheFile() throws Exception {
        Path a = dir.resolve("a.log");
        startProxy(toFile(a, ""));
        AccessLog first = proxy.accessLog().current();

        assertThat(reload(toFile(a, ""), 5, 200).get("result").asText()).isEqualTo("applied");
        assertThat(proxy.accessLog().current()).isSameAs(first);

        reload(toFile(a, ", max_size: 1KiB, max_files: 10, queue: 1024"));
        AccessLog second = proxy.accessLog().current();
        assertThat(second).isNotSameAs(first);
        assertThat(second.config().maxSize()).isEqualTo(1024);
        await().atMost(Duration.ofSeconds(5)).until(first::finished);
        for (int i = 0; i < 10; i++) {
            get("/r-" + i);
        }
        // A line is some 300 bytes: ten of them need four files of 1 KiB.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            List<String> lines = new ArrayList<>(paths(a));
            for (int n = 1; n < 10; n++) {
                lines.addAll(paths(dir.resolve("a.log." + n)));
            }
            assertThat(lines).filteredOn(p -> p.startsWith("/r-")).hasSize(10);
        });
        assertThat(dir.resolve("a.log.3")).exists();
        assertThat(Files.size(a)).isLessThanOrEqualTo(1024);
    }

    @Test
    void aFileThatCannotBeOpenedRejectsTheReloadAndTheOldLogKeepsWriting() throws Exception {
        Path a = dir.resolve("a.log");
        startProxy(toFile(a, ""));
        AccessLog running = proxy.accessLog().current();
        get("/before");
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path bad = notADirectory.resolve("access.log");

        JsonNode dryRun = dryRunReload(toFile(bad, ""));
        assertThat(dryRun.get("result").asText()).isEqualTo("rejected");
        assertThat(dryRun.get("problems").get(0).asText()).contains(bad.toString())
                .contains(notADirectory + " exists and is not a directory");
        assertThat(proxy.stats().reloadsFailed.sum()).as("a dry run records no failed reload").isZero();

        JsonNode answer = reload(toFile(bad, ""), 1, 422);
        assertThat(answer.get("result").asText()).isEqualTo("rejected");
        String problem = answer.get("problems").get(0).asText();
        assertThat(problem).contains("access_log").contains(bad.toString())
                .contains(notADirectory + " exists and is not a directory");
        JsonNode last = status().get("last_reload");
        assertThat(last.get("ok").asBoolean()).isFalse();
        assertThat(last.get("problems").get(0).asText()).isEqualTo(problem);
        assertThat(status().get("config_version").asLong()).isEqualTo(1);
        assertThat(proxy.stats().reloadsFailed.sum()).isEqualTo(1);

        assertThat(proxy.accessLog().current()).isSameAs(running);
        get("/after");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(paths(a)).containsExactly("/before", "/after"));
        assertThat(Files.exists(notADirectory.resolve("access.log"))).isFalse();
    }
}
