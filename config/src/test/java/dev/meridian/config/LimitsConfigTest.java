package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The client limits of {@code server:} and a route's {@code max_body_size}: defaults, binding, every mistake. */
class LimitsConfigTest {

    private static final String HEAD = """
            listeners:
              - address: 127.0.0.1
                port: 8080
            regions:
              - name: us-east
                jurisdiction: US
                latitude: 39.0
                longitude: -77.5
            """;
    // Lines 1-8 above; the sections each test adds start at line 9.

    private static final String REST = """
            clusters:
              - name: api
                endpoints:
                  - {id: a, address: "127.0.0.1:9001", region: us-east}
            routes:
              - name: all
                cluster: api
            """;

    @Test
    void defaultsAreSafeAndFollowEnvoyNginxAndKestrel() {
        ServerConfig s = ConfigLoader.parse("t.yaml", HEAD + REST).orThrow().server();

        assertThat(s).isEqualTo(ServerConfig.DEFAULT);
        assertThat(s.maxHeaderCount()).isEqualTo(100);
        assertThat(s.maxBodyBytes()).isEqualTo(64L << 20);
        assertThat(s.requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.minBodyRate()).isEqualTo(240);
        assertThat(s.minBodyRateGrace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.maxRequestsPerConnection()).isEqualTo(1000);
        assertThat(s.maxConnections()).isEqualTo(10_000);
        assertThat(s.maxConnectionsPerClient()).isEqualTo(1024);
    }

    @Test
    void bindsEveryKey() {
        MeridianConfig c = ConfigLoader.parse("t.yaml", HEAD + """
                server:
                  max_request_line: 2KiB
                  max_header_size: 16KiB
                  max_header_count: 50
                  max_body_size: 2GiB
                  request_header_timeout: 2s
                  min_body_rate: 1KiB/s
                  min_body_rate_grace: 1s
                  keepalive_timeout: 30s
                  max_requests_per_connection: 10
                  max_connections: 500
                  max_connections_per_client: 20
                  shutdown_grace: 0s
                  forwarded_header: true
                """ + REST + """
                    max_body_size: 10MiB
                  - name: default-limit
                    cluster: api
                """).orThrow();

        assertThat(c.server()).isEqualTo(new ServerConfig(2048, 16_384, 50, 2L << 30, Duration.ofSeconds(2), 1024,
                Duration.ofSeconds(1), Duration.ofSeconds(30), 10, 500, 20, Duration.ZERO, ContinuityLevel.FULL,
                true, true));
        assertThat(c.routes().get(0).maxBodyBytes()).isEqualTo(10L << 20);
        assertThat(c.routes().get(1).maxBodyBytes()).isEqualTo(RouteConfig.SERVER_BODY_LIMIT);
    }

    @Test
    void aZeroRateTurnsTheCheckOff() {
        ServerConfig s = ConfigLoader.parse("t.yaml", HEAD + "server:\n  min_body_rate: 0B/s\n" + REST)
                .orThrow().server();

        assertThat(s.minBodyRate()).isZero();
    }

    @Test
    void threeRegionsExampleShowsEveryLimit() {
        MeridianConfig c = ConfigLoader.load(java.nio.file.Path.of("../examples/three-regions.yaml")).orThrow();

        assertThat(c.server().maxHeaderCount()).isEqualTo(100);
        assertThat(c.routes()).extracting(RouteConfig::maxBodyBytes).contains(RouteConfig.SERVER_BODY_LIMIT);
        assertThat(c.routes()).extracting(RouteConfig::maxBodyBytes).anyMatch(n -> n > 0);
    }

    @Test
    void recordsRejectImpossibleValues() {
        ServerConfig d = ServerConfig.DEFAULT;
        assertThatThrownBy(() -> new ServerConfig(d.maxRequestLineBytes(), d.maxHeaderBytes(), 0, d.maxBodyBytes(),
                d.requestHeaderTimeout(), d.minBodyRate(), d.minBodyRateGrace(), d.keepAliveTimeout(),
                d.maxRequestsPerConnection(), d.maxConnections(), d.maxConnectionsPerClient(), d.shutdownGrace(),
                d.continuity(), d.autoShedding())).hasMessageContaining("maxHeaderCount: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new ServerConfig(d.maxRequestLineBytes(), d.maxHeaderBytes(), d.maxHeaderCount(),
                d.maxBodyBytes(), Duration.ZERO, d.minBodyRate(), d.minBodyRateGrace(), d.keepAliveTimeout(),
                d.maxRequestsPerConnection(), d.maxConnections(), d.maxConnectionsPerClient(), d.shutdownGrace(),
                d.continuity(), d.autoShedding())).hasMessageContaining("requestHeaderTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new RouteConfig("r", RouteMatch.ANY, "c", null, TimeoutsConfig.DEFAULT, null, null,
                null, false, 2, 1.0, -1)).hasMessageContaining("maxBodyBytes: -1 (expected: >= 0)");
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("misspelt limit", "server:\n  max_headers_count: 10\n" + REST,
                        10, 3, "unknown key 'max_headers_count' in a server", "did you mean 'max_header_count'?"),
                Arguments.of("no header at all", "server:\n  max_header_count: 0\n" + REST,
                        10, 21, "max_header_count 0 out of range", "1..100000"),
                Arguments.of("body size in decimal units", "server:\n  max_body_size: 10MB\n" + REST,
                        10, 18, "bad size '10MB'", "512B, 8KiB, 1MiB"),
                Arguments.of("body size of zero", "server:\n  max_body_size: 0\n" + REST,
                        10, 18, "max_body_size 0 out of range", "1 byte up to 1024GiB"),
                Arguments.of("body size beyond a tebibyte", "server:\n  max_body_size: 2000GiB\n" + REST,
                        10, 18, "max_body_size 2000GiB out of range", "1 byte up to 1024GiB"),
                Arguments.of("route body size as a word", REST + "    max_body_size: large\n",
                        16, 20, "bad size 'large'", "e.g. 512B, 8KiB, 1MiB"),
                Arguments.of("header timeout without a unit", "server:\n  request_header_timeout: 10\n" + REST,
                        10, 27, "duration 10 has no unit", "durations need a unit"),
                Arguments.of("zero header timeout", "server:\n  request_header_timeout: 0s\n" + REST,
                        10, 27, "'request_header_timeout' must be greater than zero", "e.g. 250ms"),
                Arguments.of("rate without per second", "server:\n  min_body_rate: 240B\n" + REST,
                        10, 18, "bad rate '240B'", "a size followed by /s, e.g. 240B/s"),
                Arguments.of("rate as a bare number", "server:\n  min_body_rate: 240\n" + REST,
                        10, 18, "bad rate '240'", "bytes per second"),
                Arguments.of("rate too high", "server:\n  min_body_rate: 2GiB/s\n" + REST,
                        10, 18, "min_body_rate 2GiB/s out of range", "0B/s (off) up to 1GiB/s"),
                Arguments.of("zero grace", "server:\n  min_body_rate_grace: 0s\n" + REST,
                        10, 24, "'min_body_rate_grace' must be greater than zero", "e.g. 250ms"),
                Arguments.of("no request per connection", "server:\n  max_requests_per_connection: 0\n" + REST,
                        10, 32, "max_requests_per_connection 0 out of range", ">= 1"),
                Arguments.of("negative connections", "server:\n  max_connections: -5\n" + REST,
                        10, 20, "max_connections -5 out of range", ">= 1"),
                Arguments.of("quoted per-client limit", "server:\n  max_connections_per_client: \"64\"\n" + REST,
                        10, 31, "expected an integer for 'max_connections_per_client'", "written without quotes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void reportsTheOneProblemAtItsPosition(String description, String rest, int line, int column, String message,
                                           String hint) {
        ProblemAssert.onlyProblem(description, HEAD + rest, line, column, message, hint);
    }
}
