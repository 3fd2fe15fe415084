package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyTest {

    @ParameterizedTest
    @CsvSource({"weighted, WEIGHTED", "random, RANDOM", "least_request, LEAST_REQUEST", "latency, LATENCY"})
    void eachPolicyParsesFromItsYamlName(String yaml, Policy expected) {
        MeridianConfig c = ConfigLoader.parse("policy.yaml", """
                listeners: [{address: 127.0.0.1, port: 8080}]
                regions: [{name: r, jurisdiction: US, latitude: 0, longitude: 0}]
                clusters:
                  - name: c
                    policy: %s
                    endpoints: [{id: e, address: "h:1", region: r}]
                routes: [{cluster: c}]
                """.formatted(yaml)).orThrow();

        assertThat(c.cluster("c").policy()).isEqualTo(expected);
        assertThat(expected.yamlName()).isEqualTo(yaml);
    }

    @Test
    void everyPolicyIsCovered() {
        assertThat(Arrays.stream(Policy.values()).map(Policy::yamlName))
                .containsExactly("weighted", "random", "least_request", "latency", "ring_hash", "maglev", "geo", "score");
    }
}
