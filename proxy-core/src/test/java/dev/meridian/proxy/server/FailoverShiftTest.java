package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.config.FailoverConfig;
import dev.meridian.config.FailoverStrategy;
import dev.meridian.config.TrafficSelector;
import dev.meridian.health.HealthEvent;
import dev.meridian.health.failover.ShiftState;
import dev.meridian.health.failover.ShiftStep;
import dev.meridian.health.failover.ShiftView;
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

/**
 * Failover shifts through the proxy on loopback, under steady load: traffic moves from priority 0 to priority 1 as
 * the steps go, and a canary into a failing target is rolled back by its guard. Holds are short and every wait is
 * bounded.
 */
class FailoverShiftTest {
    private static final int CLIENTS = 4;
    private final List<TestBackend> backends = new ArrayList<>();
    private MeridianServer proxy;
    private LoadDriver load;

    @AfterEach
    void stop() throws Exception {
        if (load != null) {
            load.stop();
        }
        if (proxy != null) {
            proxy.close();
        }
        backends.forEach(TestBackend::close);
    }

    private TestBackend backend(String name) throws InterruptedException {
        TestBackend b = TestBackend.start(name);
        backends.add(b);
        return b;
    }

    /** Primaries a and b at priority 0, standby c at priority 1; no retries, so what a client sees is one try. */
    private void startProxy(TestBackend a, TestBackend b, TestBackend c) throws InterruptedException {
        proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    outlier_detection:
                      consecutive_5xx: 0          # leave a failing target to the shift's guard
                    endpoints:
                      - {id: a, address: "%s", region: local}
                      - {id: b, address: "%s", region: local}
                      - {id: c, address: "%s", region: local, priority: 1}
                routes:
                  - cluster: app
                    retries:
                      max: 0
                """.formatted(a.address(), b.address(), c.address())), 2);
    }

    private void awaitRequests(long more) {
        long target = load.count() + more;
        await().atMost(Duration.ofSeconds(20)).until(() -> load.count() >= target);
    }

    private ShiftView view(int id) {
        return proxy.health().failovers().get(id);
    }

    @Test
    void aGradualShiftMovesTheTrafficStepByStepAndReachesAHundredPercent() throws Exception {
        startProxy(backend("a"), backend("b"), backend("c"));
        load = LoadDriver.start(proxy.address(), CLIENTS, "/x", 30);
        awaitRequests(200);
        long before = System.nanoTime();
        awaitRequests(200);
        assertThat(load.sharesSince(before)).as("the standby takes nothing before").doesNotContainKey("c");

        ShiftView s = proxy.health().failovers().start("app", FailoverConfig.of(TrafficSelector.priority(0),
                TrafficSelector.priority(1), FailoverStrategy.GRADUAL).withSteps(List.of(25, 50, 100))
                .withHold(Duration.ofMillis(200)), "test");
        await().atMost(Duration.ofSeconds(10)).until(() -> view(s.id()).percent() == 50);
        long halfway = System.nanoTime();
        awaitRequests(200);
        Map<String, Integer> atHalf = load.sharesSince(halfway);
        await().atMost(Duration.ofSeconds(10)).until(() -> view(s.id()).percent() == 100);
        long full = System.nanoTime();
        awaitRequests(300);
        Map<String, Integer> atFull = load.sharesSince(full);
        await().atMost(Duration.ofSeconds(10)).until(() -> view(s.id()).state() == ShiftState.COMPLETED);
        load.stop();

        assertThat(atHalf).as("half way: both levels serve").containsKeys("a", "b", "c");
        assertThat(atFull).as("at 100%%: only the target").containsOnlyKeys("c");
        assertThat(load.failures()).isEmpty();
        assertThat(view(s.id()).steps()).extracting(ShiftStep::percent).containsExactly(0.0, 25.0, 50.0, 100.0);
    }

    @Test
    void aCanaryIntoAFailingTargetIsRolledBackByItsGuardWithTheEventRecorded() throws Exception {
        TestBackend c = backend("c");
        startProxy(backend("a"), backend("b"), c);
        c.fault(Fault.UNAVAILABLE);
        load = LoadDriver.start(proxy.address(), CLIENTS, "/x", 30);
        awaitRequests(200);

        ShiftView s = proxy.health().failovers().start("app", FailoverConfig.of(TrafficSelector.priority(0),
                TrafficSelector.priority(1), FailoverStrategy.CANARY).withHold(Duration.ofMillis(300)), "test");
        await().atMost(Duration.ofSeconds(10)).until(() -> view(s.id()).state() == ShiftState.ROLLED_BACK);
        long rolledBack = System.nanoTime();
        awaitRequests(300);
        load.stop();

        ShiftView v = view(s.id());
        assertThat(v.percent()).isZero();
        assertThat(v.endReason()).contains("rolled back by its guard").contains("target error rate");
        assertThat(proxy.health().events()).filteredOn(e -> !e.isTransition()).extracting(HealthEvent::cause)
                .anySatisfy(cause -> assertThat(cause).contains("failover " + s.id() + " (canary priority 0 -> "
                        + "priority 1) rolled back by its guard"));
        assertThat(load.sharesSince(rolledBack)).as("back on the primaries").doesNotContainKey("c");
        assertThat(load.failures()).as("only the canary's share failed").isNotEmpty()
                .allSatisfy(f -> assertThat(f.status()).isEqualTo(503));
    }
}
