package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An admin failover request read with the declared-failover binder: priority and endpoint sides, no trigger. */
class FailoverRequestTest {
    private static final MeridianConfig RUNNING = ConfigLoader.parse("test.yaml", FailoverConfigTest.BASE).orThrow();

    @Test
    void bindsEverySideKindAndTheOptions() {
        FailoverRequest r = FailoverRequest.parse("""
                {"cluster": "api", "from": {"priority": 0}, "to": {"endpoints": ["eu-1"]}, "strategy": "canary",
                 "steps": [5, 50, 100], "hold": "2s", "guard": {"max_error_percent": 2, "max_p99": "500ms"},
                 "max_shift_rate": 20}""", RUNNING);
        assertThat(r.cluster()).isEqualTo("api");
        assertThat(r.config().from()).isEqualTo(TrafficSelector.priority(0));
        assertThat(r.config().to()).isEqualTo(TrafficSelector.endpoints(List.of("eu-1")));
        assertThat(r.config().strategy()).isEqualTo(FailoverStrategy.CANARY);
        assertThat(r.config().steps()).containsExactly(5, 50, 100);
        assertThat(r.config().hold()).isEqualTo(Duration.ofSeconds(2));
        assertThat(r.config().guard()).isEqualTo(new FailoverGuard(2, Duration.ofMillis(500)));
        assertThat(r.config().maxShiftRate()).isEqualTo(20);
        assertThat(r.config().trigger()).isNull();
    }

    @Test
    void defaultsAsTheYamlDoes() {
        FailoverConfig c = FailoverRequest.parse(
                "{\"cluster\": \"api\", \"from\": {\"region\": \"us-east\"}, \"to\": {\"region\": \"eu-west\"}}",
                RUNNING).config();
        assertThat(c.strategy()).isEqualTo(FailoverStrategy.GRADUAL);
        assertThat(c.hold()).isEqualTo(FailoverConfig.DEFAULT_HOLD);
        assertThat(c.guard()).isEqualTo(FailoverGuard.DEFAULT);
    }

    @Test
    void reportsEveryProblemWithAHint() {
        assertThatThrownBy(() -> FailoverRequest.parse("""
                {"cluster": "api", "from": {"region": "us-esat"}, "to": {"priority": 7}, "steps": [50, 90],
                 "trigger": "failed"}""", RUNNING))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::message)
                        .containsExactlyInAnyOrder("unknown region 'us-esat'",
                                "this cluster has no endpoint at priority 7", "the last step is 90, not 100",
                                "unknown key 'trigger' in a failover request"));
        assertThatThrownBy(() -> FailoverRequest.parse("{\"cluster\": \"apx\", \"from\": {\"region\": \"us-east\"},"
                + " \"to\": {\"region\": \"eu-west\"}}", RUNNING))
                .hasMessageContaining("unknown cluster 'apx'").hasMessageContaining("did you mean 'api'");
        assertThatThrownBy(() -> FailoverRequest.parse("[1]", RUNNING)).hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> FailoverRequest.parse("{\"cluster\": \"api\"}", RUNNING))
                .hasMessageContaining("missing required key 'from'");
    }
}
