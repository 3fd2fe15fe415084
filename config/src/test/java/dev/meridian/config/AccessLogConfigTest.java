package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** access_log at the top and per route: binding, defaults and every mistake. */
class AccessLogConfigTest {

    private static final String HEAD = """
            listeners:
              - address: 127.0.0.1
                port: 8080
            regions:
              - name: us-east
                jurisdiction: US
                latitude: 39.0
                longitude: -77.5
            clusters:
              - name: api
                endpoints:
                  - {id: a, address: "127.0.0.1:9001", region: us-east}
            """;
    // Lines 1-12 above; the sections each test adds start at line 13.

    private static final String ROUTE = """
            routes:
              - name: all
                cluster: api
            """;

    @Test
    void offByDefaultAndEveryRouteSampledInFull() {
        MeridianConfig c = ConfigLoader.parse("t.yaml", HEAD + ROUTE).orThrow();

        assertThat(c.accessLog()).isEqualTo(AccessLogConfig.OFF);
        assertThat(c.accessLog().enabled()).isFalse();
        assertThat(c.routes().get(0).accessLogSample()).isEqualTo(1.0);
    }

    @Test
    void bindsEveryKeyAndResolvesThePathAgainstTheConfigDirectory() {
        MeridianConfig c = ConfigLoader.parse("t.yaml", HEAD + ROUTE + """
                    access_log: {sample: 0.25}
                  - name: silent
                    cluster: api
                    access_log: false
                  - name: loud
                    cluster: api
                    access_log: true
                access_log:
                  path: logs/access.log
                  max_size: 10MiB
                  max_files: 3
                  queue: 1024
                """).orThrow();

        assertThat(c.accessLog()).isEqualTo(new AccessLogConfig(true, c.accessLog().path(), 10L << 20, 3, 1024));
        assertThat(c.accessLog().path()).endsWith(Path.of("logs", "access.log").toString());
        assertThat(c.routes()).extracting(RouteConfig::accessLogSample).containsExactly(0.25, 0.0, 1.0);
    }

    @Test
    void stdoutAndExplicitlyOff() {
        MeridianConfig out = ConfigLoader.parse("t.yaml", HEAD + ROUTE + "access_log: {path: \"-\"}\n").orThrow();
        MeridianConfig off = ConfigLoader.parse("t.yaml", HEAD + ROUTE + "access_log: {enabled: false}\n")
                .orThrow();

        assertThat(out.accessLog().enabled()).isTrue();
        assertThat(out.accessLog().toStdout()).isTrue();
        assertThat(off.accessLog().enabled()).isFalse();
    }

    @Test
    void threeRegionsExampleShowsTheAccessLog() {
        MeridianConfig c = ConfigLoader.load(Path.of("../examples/three-regions.yaml")).orThrow();

        assertThat(c.accessLog().enabled()).isTrue();
        assertThat(c.routes()).extracting(RouteConfig::accessLogSample).anyMatch(s -> s < 1.0);
    }

    @Test
    void recordsRejectImpossibleValues() {
        assertThatThrownBy(() -> new AccessLogConfig(true, "-", 0, 1, 16)).hasMessageContaining("maxSize: 0");
        assertThatThrownBy(() -> new RouteConfig("r", RouteMatch.ANY, "c", null, TimeoutsConfig.DEFAULT, null, null,
                null, false, 2, 1.5)).hasMessageContaining("accessLogSample: 1.5 (expected: 0.0..1.0)");
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("unknown key", ROUTE + "access_log:\n  max_file: 3\n",
                        17, 3, "unknown key 'max_file' in an access log section", "did you mean 'max_files'?"),
                Arguments.of("not a map", ROUTE + "access_log: yes\n",
                        16, 13, "expected a map for 'access_log'", "enabled, path"),
                Arguments.of("enabled as a word", ROUTE + "access_log:\n  enabled: on\n",
                        17, 12, "'enabled'", ""),
                Arguments.of("empty path", ROUTE + "access_log:\n  path: \"\"\n",
                        17, 9, "'path' is empty", "\"-\" for standard output"),
                Arguments.of("size without unit suffix it knows", ROUTE + "access_log:\n  path: a.log\n  max_size: 10MB\n",
                        18, 13, "bad size '10MB'", "MiB"),
                Arguments.of("size too small", ROUTE + "access_log:\n  path: a.log\n  max_size: 100B\n",
                        18, 13, "max_size 100B out of range", "1KiB up to 2047MiB"),
                Arguments.of("no files", ROUTE + "access_log:\n  path: a.log\n  max_files: 0\n",
                        18, 14, "max_files 0 out of range", "1..1000"),
                Arguments.of("tiny queue", ROUTE + "access_log:\n  queue: 8\n",
                        17, 10, "queue 8 out of range", "16..16777216"),
                Arguments.of("rotation of stdout", ROUTE + "access_log:\n  max_files: 3\n",
                        17, 3, "rotation does not apply to standard output", "set 'path' to a file"),
                Arguments.of("route sample above 1", ROUTE + "    access_log: {sample: 2}\n",
                        16, 26, "sample 2 out of range", "0..1"),
                Arguments.of("route sample missing", ROUTE + "    access_log: {}\n",
                        16, 17, "missing required key 'sample'", ""),
                Arguments.of("route access log a number", ROUTE + "    access_log: 0.5\n",
                        16, 17, "expected false, true or a map for 'access_log'", "{sample: 0.1}"),
                Arguments.of("route unknown key", ROUTE + "    access_log: {sample: 0.5, rate: 1}\n",
                        16, 31, "unknown key 'rate' in a route access log", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void reportsTheOneProblemAtItsPosition(String description, String rest, int line, int column, String message,
                                           String hint) {
        ProblemAssert.onlyProblem(description, HEAD + rest, line, column, message, hint);
    }
}
