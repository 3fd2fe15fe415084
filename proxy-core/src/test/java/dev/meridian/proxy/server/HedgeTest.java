package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestBackend.Fault;
import dev.meridian.testing.TestConfigs;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A late GET is sent again to another endpoint, and the first answer wins. */
class HedgeTest {
    private TestBackend first;
    private TestBackend second;
    private MeridianServer proxy;

    @BeforeEach
    void start() throws Exception {
        first = TestBackend.start("first");
        second = TestBackend.start("second");
        proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    endpoints:
                      - {id: first, address: "%s", region: local}
                      - {id: second, address: "%s", region: local}
                routes:
                  - cluster: app
                    timeouts:
                      response_header: 2s
                """.formatted(first.address(), second.address())), 1);
    }

    @AfterEach
    void stop() {
        proxy.close();
        first.close();
        second.close();
    }

    @Test
    void hungEndpointIsHedgedAndTheClientBarelyNotices() throws Exception {
        first.fault(Fault.HANG);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            long start = System.nanoTime();
            Response r = c.get("a", "/page");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-backend")).isEqualTo("second");
            assertThat(millis).isLessThan(1000);  // far below the 2 s response_header timeout
        }
        assertThat(proxy.stats().hedges.sum()).isEqualTo(1);
        assertThat(proxy.stats().hedgeWins.sum()).isEqualTo(1);
        assertThat(proxy.meters().retries("second")).as("the hedge counts where it was sent").isEqualTo(1);
        assertThat(proxy.meters().retries("first")).isZero();
        // The hung try lost after at least the hedge delay (50 ms): its latency estimate must know it, beyond the
        // 30 ms a new endpoint starts from.
        var hung = proxy.routing().current().endpoint("first");
        assertThat(hung.latency().estimateAt(System.nanoTime())).isGreaterThan(40_000_000.0);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(proxy.routing().current().cluster("app").endpoints())
                        .allSatisfy(e -> assertThat(e.inFlight()).isZero()));
    }

    @Test
    void firstTryAnsweringFirstCancelsTheHedge() throws Exception {
        second.fault(Fault.SLOW);  // the hedge goes there and must lose, by a margin no scheduling noise covers
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            Response r = c.get("a", "/delay/150");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-backend")).as("first received %s, second received %s, hedges %d",
                    first.received(), second.received(), proxy.stats().hedges.sum()).isEqualTo("first");
        }
        assertThat(proxy.stats().hedges.sum()).isEqualTo(1);
        assertThat(proxy.stats().hedgeWins.sum()).isZero();
        var cluster = proxy.routing().current().cluster("app");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cluster.endpoints()).allSatisfy(e -> assertThat(e.inFlight()).isZero());
            assertThat(cluster.retryBudget().activeRetries()).isZero();
        });
    }

    @Test
    void postIsNeverHedged() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("POST /delay/150 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
            assertThat(c.read().status()).isEqualTo(200);
        }
        assertThat(proxy.stats().hedges.sum()).isZero();
        assertThat(second.received()).isEmpty();
    }

    @Test
    void bothHungEndsInA504AfterTheTimeout() throws Exception {
        first.fault(Fault.HANG);
        second.fault(Fault.HANG);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            Response r = c.get("a", "/x");
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.bodyText()).contains("sent no response headers within 2000 ms");
        }
        var cluster = proxy.routing().current().cluster("app");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cluster.endpoints()).allSatisfy(e -> assertThat(e.inFlight()).isZero());
            assertThat(cluster.retryBudget().activeRetries()).isZero();
        });
    }

    @Test
    void aHedgeRefusedAtConnectIsFollowedByAnotherAtOnce() throws Exception {
        TestBackend dead = TestBackend.start("dead");
        String deadAddress = dead.address();
        dead.close();
        first.fault(Fault.HANG);
        // Weights 3, 2, 1 on one loop: the first try goes to the hung endpoint, the first hedge to the dead one.
        MeridianServer weighted = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    endpoints:
                      - {id: first, address: "%s", region: local, weight: 3}
                      - {id: dead, address: "%s", region: local, weight: 2}
                      - {id: second, address: "%s", region: local, weight: 1}
                routes:
                  - cluster: app
                    timeouts:
                      response_header: 5s
                """.formatted(first.address(), deadAddress, second.address())), 1);
        try (RawHttpClient c = new RawHttpClient(weighted.address())) {
            long start = System.nanoTime();
            Response r = c.get("a", "/page");
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-backend")).isEqualTo("second");
            assertThat(millis).as("far below the 5 s header timeout").isLessThan(2000);
            assertThat(weighted.stats().hedges.sum()).isEqualTo(2);
        } finally {
            weighted.close();
        }
    }
}
