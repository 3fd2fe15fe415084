package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code server.forwarded_header}: off by default, a strict boolean, its mistakes reported where they are. */
class ForwardedHeaderConfigTest {

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
    // Lines 1-8 above; a server section added after it starts at line 9, its first key on line 10.

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
    void isOffByDefault() {
        assertThat(ConfigLoader.parse("t.yaml", HEAD + REST).orThrow().server().forwardedHeader()).isFalse();
        assertThat(ConfigLoader.parse("t.yaml", HEAD + "server:\n  max_connections: 5\n" + REST).orThrow()
                .server().forwardedHeader()).isFalse();
        assertThat(ServerConfig.DEFAULT.forwardedHeader()).isFalse();
    }

    @Test
    void trueTurnsItOnAndLeavesTheRestAtTheirDefaults() {
        ServerConfig s = ConfigLoader.parse("t.yaml", HEAD + "server:\n  forwarded_header: true\n" + REST)
                .orThrow().server();

        assertThat(s.forwardedHeader()).isTrue();
        assertThat(s.maxHeaderCount()).isEqualTo(ServerConfig.DEFAULT.maxHeaderCount());
        assertThat(s.autoShedding()).isEqualTo(ServerConfig.DEFAULT.autoShedding());
    }

    @Test
    void aWrongTypeIsAProblemAtItsFileLineAndColumn() {
        ConfigResult result = ConfigLoader.parse("meridian.yaml", HEAD + "server:\n  forwarded_header: 1\n" + REST);

        assertThat(result.problems()).singleElement().satisfies(p ->
                assertThat(p.format()).startsWith("meridian.yaml:10:21: expected a boolean for 'forwarded_header'"));
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("a number", "server:\n  forwarded_header: 1\n", 10, 21,
                        "expected a boolean for 'forwarded_header'", "true or false"),
                Arguments.of("a word", "server:\n  forwarded_header: always\n", 10, 21,
                        "expected a boolean for 'forwarded_header'", "true or false"),
                Arguments.of("YAML 1.1's yes", "server:\n  forwarded_header: yes\n", 10, 21,
                        "expected true or false for 'forwarded_header', got 'yes'", "write true or false"),
                Arguments.of("a list", "server:\n  forwarded_header: [true]\n", 10, 21,
                        "expected a boolean for 'forwarded_header'", "true or false"),
                Arguments.of("a misspelt key", "server:\n  forwarded_headers: true\n", 10, 3,
                        "unknown key 'forwarded_headers' in a server", "did you mean 'forwarded_header'?"),
                Arguments.of("under geo", "geo:\n  forwarded_header: true\n", 10, 3,
                        "unknown key 'forwarded_header' in a geo section", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void reportsTheOneProblemAtItsPosition(String description, String server, int line, int column, String message,
                                           String hint) {
        ProblemAssert.onlyProblem(description, HEAD + server + REST, line, column, message, hint);
    }
}
