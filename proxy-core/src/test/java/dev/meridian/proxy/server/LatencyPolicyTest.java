package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.LoadDriver;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestBackend.Fault;
import dev.meridian.testing.TestConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** With one of four backends slow, `latency` starves it while `weighted` gives it its share. */
class LatencyPolicyTest {
    private final List<TestBackend> backends = new ArrayList<>();
    private MeridianServer proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        backends.forEach(TestBackend::close);
    }

    private double slowShare(String policy, boolean hedge) throws Exception {
        StringBuilder eps = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            TestBackend b = TestBackend.start(i == 0 ? "slow" : "fast-" + i);
            backends.add(b);
            eps.append("      - {id: ").append(b.name()).append(", address: \"").append(b.address())
                    .append("\", region: local}\n");
        }
        backends.get(0).fault(Fault.LAGGY);
        proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    policy: %s
                    endpoints:
                %s
                routes:
                  - cluster: app
                    retries:
                      hedge:
                        enabled: %s
                """.formatted(policy, eps, hedge)), 2);
        long start = System.nanoTime();
        try (LoadDriver load = LoadDriver.start(proxy.address(), 8, "/x", 30)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> load.count() >= 1500);
            load.stop();
            assertThat(load.failures()).isEmpty();
            Map<String, Integer> shares = load.sharesSince(start);
            double total = shares.values().stream().mapToInt(Integer::intValue).sum();
            return shares.getOrDefault("slow", 0) / total;
        }
    }

    @Test
    void latencyPolicySendsTheSlowBackendUnderTenPercent() throws Exception {
        assertThat(slowShare("latency", false)).isLessThan(0.10);
    }

    @Test
    void latencyPolicyLearnsEvenWhenHedgingHidesTheSlowAnswers() throws Exception {
        // Hedges win against the slow backend, so its own answers rarely complete: the policy must avoid it all the
        // same (HedgeTest checks that a lost try's elapsed time reaches the estimate).
        assertThat(slowShare("latency", true)).isLessThan(0.10);
    }

    @Test
    void weightedPolicyGivesTheSlowBackendItsShare() throws Exception {
        // Picked a quarter of the time; each of its requests takes 150 ms, so it serves fewer of the requests.
        assertThat(slowShare("weighted", false)).isGreaterThan(0.01);
        assertThat(proxy.routing().current().cluster("app").endpoints().get(0).requestsTotal())
                .isGreaterThan(0);
    }
}
