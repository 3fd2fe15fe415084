package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A cluster's {@code failover} list: what binds, and one mistake per case with the one problem it must produce. */
class FailoverConfigTest {

    static final String ITEM = """
                  - from: {region: us-east}
                    to: {region: eu-west}
            """;

    /** Valid as it stands. The failover item starts at line 15. */
    static final String BASE = """
            listeners:
              - address: 127.0.0.1
                port: 8080
            regions:
              - {name: us-east, jurisdiction: US, latitude: 39, longitude: -77}
              - {name: eu-west, jurisdiction: EU, latitude: 53, longitude: -6}
              - {name: ap-south, jurisdiction: IN, latitude: 19, longitude: 72}
            clusters:
              - name: api
                endpoints:
                  - {id: us-1, address: 10.0.0.1:80, region: us-east}
                  - {id: us-2, address: 10.0.0.2:80, region: us-east}
                  - {id: eu-1, address: 10.0.1.1:80, region: eu-west, priority: 1}
                failover:
            """ + ITEM + """
            routes:
              - name: all
                cluster: api
            """;

    @Test
    void theDefaultsAreAGradualShiftOnFailureWithTheDefaultGuard() {
        FailoverConfig f = bound(BASE);

        assertThat(f.from()).isEqualTo(TrafficSelector.region("us-east"));
        assertThat(f.to()).isEqualTo(TrafficSelector.region("eu-west"));
        assertThat(f.strategy()).isEqualTo(FailoverStrategy.GRADUAL);
        assertThat(f.steps()).containsExactly(10, 25, 50, 75, 100);
        assertThat(f.hold()).isEqualTo(Duration.ofSeconds(30));
        assertThat(f.guard()).isEqualTo(FailoverGuard.DEFAULT);
        assertThat(f.maxShiftRate()).isZero();
        assertThat(f.trigger()).isEqualTo(FailoverTrigger.FAILED);
    }

    @Test
    void everyKeyBinds() {
        FailoverConfig f = bound(BASE.replace(ITEM, """
                      - from: {region: us-east}
                        to: {endpoints: [eu-1]}
                        strategy: canary
                        steps: [5, 50, 100]
                        hold: 250ms
                        trigger: critical
                        guard: {max_error_percent: 2.5, max_p99: 400ms}
                        max_shift_rate: 20
                """));

        assertThat(f.to()).isEqualTo(TrafficSelector.endpoints(List.of("eu-1")));
        assertThat(f.strategy()).isEqualTo(FailoverStrategy.CANARY);
        assertThat(f.steps()).containsExactly(5, 50, 100);
        assertThat(f.hold()).isEqualTo(Duration.ofMillis(250));
        assertThat(f.trigger()).isEqualTo(FailoverTrigger.CRITICAL);
        assertThat(f.guard()).isEqualTo(new FailoverGuard(2.5, Duration.ofMillis(400)));
        assertThat(f.maxShiftRate()).isEqualTo(20);
    }

    @Test
    void strategiesWithoutStepsHaveTheirOwn() {
        assertThat(bound(BASE.replace(ITEM, ITEM + "        strategy: immediate\n")).steps()).containsExactly(100);
        assertThat(bound(BASE.replace(ITEM, ITEM + "        strategy: rolling\n")).steps()).isEmpty();
        assertThat(bound(BASE.replace(ITEM, ITEM + "        strategy: canary\n")).steps()).startsWith(5);
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                item("undeclared region", "      - from: {region: us-est}\n        to: {region: eu-west}\n",
                        15, 24, "unknown region 'us-est'", "did you mean 'us-east'?"),
                item("region without endpoints here", "      - from: {region: us-east}\n        to: {region: ap-south}\n",
                        16, 22, "this cluster has no endpoint in region 'ap-south'", "us-east, eu-west"),
                item("priority level nobody is at", ITEM.replace("to: {region: eu-west}", "to: {priority: 3}"),
                        16, 24, "this cluster has no endpoint at priority 3", "[0, 1]"),
                item("unknown endpoint", ITEM.replace("to: {region: eu-west}", "to: {endpoints: [eu-2]}"),
                        16, 26, "unknown endpoint 'eu-2' in this cluster", "did you mean 'eu-1'?"),
                item("two kinds on one side", ITEM.replace("to: {region: eu-west}", "to: {region: eu-west, priority: 1}"),
                        16, 41, "'region' and 'priority' cannot both be set", "one of region"),
                item("overlapping sides", ITEM.replace("to: {region: eu-west}", "to: {endpoints: [us-2, eu-1]}"),
                        16, 13, "share endpoints [us-2]", "disjoint"),
                item("source that is not a region", ITEM.replace("from: {region: us-east}", "from: {priority: 0}"),
                        15, 15, "a declared failover must shift away from a region", "admin port"),
                item("misspelt strategy", ITEM + "        strategy: gradul\n",
                        17, 19, "unknown failover strategy 'gradul'", "did you mean 'gradual'?"),
                item("steps for blue-green", ITEM + "        strategy: blue_green\n        steps: [50, 100]\n",
                        18, 9, "'steps' does not apply to strategy blue_green", "only gradual and canary"),
                item("falling steps", ITEM + "        steps: [50, 25, 100]\n",
                        17, 21, "step 25 does not rise above 50", "rising percents"),
                item("steps short of 100", ITEM + "        steps: [10, 50]\n",
                        17, 21, "the last step is 50, not 100", "add 100"),
                item("step beyond 100", ITEM + "        steps: [10, 150]\n",
                        17, 21, "step 150 out of range", "1..100"),
                item("hold without a unit", ITEM + "        hold: 30\n",
                        17, 15, "duration 30 has no unit", "e.g. 5s"),
                item("misspelt trigger", ITEM + "        trigger: failing\n",
                        17, 18, "unknown trigger 'failing'", "failed, critical"),
                item("guard error rate beyond 100", ITEM + "        guard: {max_error_percent: 150}\n",
                        17, 36, "max_error_percent 150 out of range", "0..100"),
                item("misspelt guard key", ITEM + "        guard: {max_p95: 1s}\n",
                        17, 17, "unknown key 'max_p95' in a failover guard", "max_p99"),
                item("shift rate beyond 100", ITEM + "        max_shift_rate: 500\n",
                        17, 25, "max_shift_rate 500 out of range", "0..100"),
                item("misspelt failover key", ITEM + "        stratgy: canary\n",
                        17, 9, "unknown key 'stratgy' in a failover", "did you mean 'strategy'?"),
                Arguments.of("failover on a geo cluster", BASE.replace("  - name: api\n", "  - name: api\n    policy: geo\n"),
                        15, 5, "failover shifts do not apply to geo clusters yet", "geo spill"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void reportsTheOneProblemAtItsPosition(String description, String yaml, int line, int column, String message,
                                           String hint) {
        ProblemAssert.onlyProblem(description, yaml, line, column, message, hint);
    }

    private static Arguments item(String description, String item, int line, int column, String message,
                                  String hint) {
        if (!BASE.contains(ITEM)) {
            throw new IllegalStateException("BASE lost its item");
        }
        return Arguments.of(description, BASE.replace(ITEM, item), line, column, message, hint);
    }

    private static FailoverConfig bound(String yaml) {
        ConfigResult result = ConfigLoader.parse("test.yaml", yaml);
        assertThat(result.problems()).as(yaml).isEmpty();
        return result.config().clusters().get(0).failover().get(0);
    }
}
