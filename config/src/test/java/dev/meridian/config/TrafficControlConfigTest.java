package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** circuit_breaker, tier, server.continuity and server.auto_shedding: binding, defaults and every mistake. */
class TrafficControlConfigTest {

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

    private static final String CLUSTER = """
            clusters:
              - name: api
                endpoints:
                  - {id: a, address: "127.0.0.1:9001", region: us-east}
            """;
    // Lines 9-12; a cluster section added after it starts at line 13.

    private static final String ROUTE = """
            routes:
              - name: all
                cluster: api
            """;

    @Test
    void defaultsAreEnvoysLimitsMiddleTierFullContinuity() {
        MeridianConfig c = ConfigLoader.parse("t.yaml", HEAD + CLUSTER + ROUTE).orThrow();

        assertThat(c.cluster("api").circuitBreaker()).isEqualTo(new CircuitBreakerConfig(1024, 1024, 1024,
                CircuitBreakerConfig.BUDGET_DECIDES));
        assertThat(c.routes().get(0).tier()).isEqualTo(2);
        assertThat(c.server().continuity()).isEqualTo(ContinuityLevel.FULL);
        assertThat(c.server().autoShedding()).isTrue();
    }

    @Test
    void bindsEveryKey() {
        MeridianConfig c = ConfigLoader.parse("t.yaml", HEAD + """
                server:
                  continuity: safe_mode
                  auto_shedding: false
                """ + CLUSTER + """
                    circuit_breaker:
                      max_connections: 10
                      max_pending_requests: 20
                      max_requests: 30
                      max_retries: 0
                """ + ROUTE + """
                    tier: 4
                """).orThrow();

        assertThat(c.cluster("api").circuitBreaker()).isEqualTo(new CircuitBreakerConfig(10, 20, 30, 0));
        assertThat(c.routes().get(0).tier()).isEqualTo(4);
        assertThat(c.server().continuity()).isEqualTo(ContinuityLevel.SAFE_MODE);
        assertThat(c.server().autoShedding()).isFalse();
    }

    @Test
    void threeRegionsExampleShowsEveryKey() {
        MeridianConfig c = ConfigLoader.load(java.nio.file.Path.of("../examples/three-regions.yaml")).orThrow();

        assertThat(c.cluster("api").circuitBreaker()).isNotEqualTo(CircuitBreakerConfig.DEFAULT);
        assertThat(c.routes()).extracting(RouteConfig::tier).contains(0, 2, 4);
        assertThat(c.server().continuity()).isEqualTo(ContinuityLevel.FULL);
    }

    @Test
    void aBudgetFloorWithinARaisedBreakerIsFine() {
        ConfigResult r = ConfigLoader.parse("t.yaml", HEAD + CLUSTER + """
                    retry_budget:
                      min_concurrent: 10
                    circuit_breaker:
                      max_retries: 10
                """ + ROUTE);

        assertThat(r.problems()).isEmpty();
    }

    @Test
    void continuityLevelsAdmitTheirTiers() {
        assertThat(tiersAdmitted(ContinuityLevel.FULL)).containsExactly(0, 1, 2, 3, 4);
        assertThat(tiersAdmitted(ContinuityLevel.ESSENTIAL)).containsExactly(0, 1);
        assertThat(tiersAdmitted(ContinuityLevel.SAFE_MODE)).containsExactly(0);
        assertThat(tiersAdmitted(ContinuityLevel.HALT)).isEmpty();
        assertThat(ContinuityLevel.named("safe_mode")).isEqualTo(ContinuityLevel.SAFE_MODE);
        assertThat(ContinuityLevel.named("SAFE_MODE")).isNull();
    }

    @Test
    void recordsRejectImpossibleValues() {
        assertThatThrownBy(() -> new CircuitBreakerConfig(0, 1, 1, 0)).hasMessageContaining("expected: >= 1");
        assertThatThrownBy(() -> new RouteConfig("r", RouteMatch.ANY, "c", null, TimeoutsConfig.DEFAULT, null, null,
                null, false, 5)).hasMessageContaining("tier: 5 (expected: 0..4)");
    }

    private static int[] tiersAdmitted(ContinuityLevel level) {
        return java.util.stream.IntStream.rangeClosed(0, 4).filter(level::admits).toArray();
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("unknown breaker key", CLUSTER + "    circuit_breaker:\n      max_request: 5\n" + ROUTE,
                        14, 7, "unknown key 'max_request' in a circuit breaker", "did you mean 'max_requests'?"),
                Arguments.of("zero connections", CLUSTER + "    circuit_breaker:\n      max_connections: 0\n" + ROUTE,
                        14, 24, "max_connections 0 out of range", "1..1000000"),
                Arguments.of("negative retries", CLUSTER + "    circuit_breaker:\n      max_retries: -1\n" + ROUTE,
                        14, 20, "max_retries -1 out of range", "0..1000000"),
                Arguments.of("breaker not a map", CLUSTER + "    circuit_breaker: 5\n" + ROUTE,
                        13, 22, "expected a map for 'circuit_breaker'", ""),
                Arguments.of("budget floor above the breaker", CLUSTER
                                + "    circuit_breaker:\n      max_retries: 3\n"
                                + "    retry_budget:\n      min_concurrent: 5\n" + ROUTE,
                        14, 20, "retry_budget.min_concurrent 5 is above circuit_breaker.max_retries 3",
                        "raise circuit_breaker.max_retries to at least 5"),
                Arguments.of("breaker lowered below the floor", CLUSTER
                                + "    retry_budget:\n      min_concurrent: 2\n"
                                + "    circuit_breaker:\n      max_retries: 1\n" + ROUTE,
                        16, 20, "retry_budget.min_concurrent 2 is above circuit_breaker.max_retries 1",
                        "or lower min_concurrent"),
                Arguments.of("tier out of range", CLUSTER + ROUTE + "    tier: 5\n",
                        16, 11, "tier 5 out of range", "0..4"),
                Arguments.of("tier as a word", CLUSTER + ROUTE + "    tier: critical\n",
                        16, 11, "expected an integer for 'tier'", "0..4"),
                Arguments.of("unknown continuity", "server:\n  continuity: essentials\n" + CLUSTER + ROUTE,
                        10, 15, "unknown continuity level 'essentials'", "did you mean 'essential'?"),
                Arguments.of("continuity in capitals", "server:\n  continuity: HALT\n" + CLUSTER + ROUTE,
                        10, 15, "unknown continuity level 'HALT'", "safe_mode: tier 0"),
                Arguments.of("auto_shedding not a boolean", "server:\n  auto_shedding: sometimes\n" + CLUSTER + ROUTE,
                        10, 18, "expected a boolean for 'auto_shedding'", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void reportsTheOneProblemAtItsPosition(String description, String rest, int line, int column, String message,
                                           String hint) {
        String yaml = HEAD + rest;
        ProblemAssert.onlyProblem(description, yaml, line, column, message, hint);
    }
}
