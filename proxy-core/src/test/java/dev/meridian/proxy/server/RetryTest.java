package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestBackend.Fault;
import dev.meridian.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A failed try goes to another endpoint when that is safe; otherwise the client gets the failure. */
class RetryTest {
    private TestBackend broken;
    private TestBackend healthy;
    private MeridianServer proxy;

    @BeforeEach
    void start() throws Exception {
        broken = TestBackend.start("broken");
        healthy = TestBackend.start("healthy");
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        broken.close();
        healthy.close();
    }

    /** Broken first in every cycle of the round robin, so each test's first try meets it. */
    private void startProxy(String brokenAddress) throws InterruptedException {
        startProxy(brokenAddress, "", "");
    }

    private void startProxy(String brokenAddress, String clusterExtra, String routeExtra)
            throws InterruptedException {
        proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    endpoints:
                      - {id: broken, address: "%s", region: local}
                      - {id: healthy, address: "%s", region: local}
                %s
                routes:
                  - cluster: app
                %s
                """.formatted(brokenAddress, healthy.address(), clusterExtra, routeExtra)), 1);
    }

    @Test
    void a503IsPassedThroughByDefaultAndRetriedWhenConfigured() throws Exception {
        broken.fault(Fault.UNAVAILABLE);
        startProxy(broken.address());
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            Response r = c.get("a", "/x");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).isEqualTo("broken unavailable");
        }
        proxy.close();
        startProxy(broken.address(), "", """
                    retries:
                      retry_on_503: true
                """);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            Response r = c.get("a", "/x");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-backend")).isEqualTo("healthy");
        }
        assertThat(proxy.stats().retries.sum()).isEqualTo(1);
    }

    @Test
    void perTryTimeoutMovesAHungTryToAnotherEndpoint() throws Exception {
        broken.fault(Fault.HANG);
        startProxy(broken.address(), "", """
                    timeouts:
                      response_header: 10s
                    retries:
                      per_try_timeout: 200ms
                      hedge:
                        enabled: false
                """);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            long start = System.nanoTime();
            Response r = c.get("a", "/slow-path");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-backend")).isEqualTo("healthy");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
        }
        assertThat(proxy.stats().retries.sum()).isEqualTo(1);
        assertThat(proxy.stats().hedges.sum()).isZero();
    }

    @Test
    void aTryPastItsPerTryTimeoutIsKeptWhileOnlyTheBudgetRefusesARetry() throws Exception {
        startProxy(broken.address(), """
                    outlier_detection:
                      consecutive_gateway_failures: 0
                    retry_budget:
                      percent: 0
                      min_concurrent: 0
                """, """
                    timeouts:
                      response_header: 3s
                    retries:
                      per_try_timeout: 200ms
                      hedge:
                        enabled: false
                """);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            // The first try is slow, not dead: giving up at 200 ms with no retry allowed would only fail the client.
            Response r = c.get("a", "/delay/500");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-backend")).isEqualTo("broken");
        }
        assertThat(proxy.stats().retryBudgetExhausted.sum()).isPositive();
        assertThat(proxy.stats().responseTimeouts.sum()).isEqualTo(1);
        assertThat(healthy.received()).isEmpty();
    }

    @Test
    void noRetriesWhenMaxIsZero() throws Exception {
        broken.fault(Fault.CLOSE);
        startProxy(broken.address(), "", """
                    retries:
                      max: 0
                """);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            assertThat(c.get("a", "/x").status()).isEqualTo(502);
        }
        assertThat(healthy.received()).isEmpty();
    }

    @Test
    void anExhaustedBudgetFailsFastInsteadOfRetrying() throws Exception {
        broken.fault(Fault.CLOSE);
        // Ejection off: a retry away from an ejected endpoint is a redistribution and spends no budget.
        startProxy(broken.address(), """
                    outlier_detection:
                      consecutive_gateway_failures: 0
                    retry_budget:
                      percent: 0
                      min_concurrent: 0
                """, "");
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            Response r = c.get("a", "/x");
            assertThat(r.status()).isEqualTo(502);
        }
        assertThat(proxy.stats().retries.sum()).isZero();
        assertThat(proxy.stats().retryBudgetExhausted.sum()).isEqualTo(1);
        assertThat(healthy.received()).isEmpty();
    }

    @Test
    void connectRefusedIsRetriedOnAnotherEndpointForAnyMethod() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            deadPort = s.getLocalPort();
        }
        startProxy("127.0.0.1:" + deadPort);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("POST /order HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
            Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).startsWith("healthy POST /order bytes=5");
        }
        assertThat(proxy.stats().retries.sum()).isEqualTo(1);
    }

    @Test
    void getClosedBeforeAnsweringIsRetriedElsewhere() throws Exception {
        broken.fault(Fault.CLOSE);
        startProxy(broken.address());
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            for (int i = 0; i < 6; i++) {
                Response r = c.get("a", "/item/" + i);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("x-backend")).isEqualTo("healthy");
            }
        }
        assertThat(broken.received()).isNotEmpty();
        // Each request broken swallowed was sent again: as a retry, or as a hedge when its close came late.
        assertThat(proxy.stats().retries.sum() + proxy.stats().hedges.sum()).isEqualTo(broken.received().size());
    }

    @Test
    void idempotentBodyIsReplayedWholeOnTheRetry() throws Exception {
        broken.fault(Fault.CLOSE);
        startProxy(broken.address());
        String body = "p".repeat(20_000);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("PUT /doc HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("healthy PUT /doc bytes=20000 crc=" + ProxyBasicsTest.crc(body));
        }
    }

    @Test
    void bodyLargerThanTheBufferLimitIsNotRetried() throws Exception {
        broken.fault(Fault.CLOSE);
        startProxy(broken.address());
        String body = "q".repeat(100_000);
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("PUT /big HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            Response r = c.read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).contains("endpoint 'broken' closed the connection before responding");
        }
        assertThat(healthy.received()).isEmpty();
    }

    @Test
    void nonIdempotentRequestThatReachedTheEndpointIsNotRetried() throws Exception {
        broken.fault(Fault.CLOSE);
        startProxy(broken.address());
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("POST /pay HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
            assertThat(c.read().status()).isEqualTo(502);
        }
        assertThat(healthy.received()).isEmpty();
        assertThat(proxy.stats().retries.sum()).isZero();
    }

    @Test
    void inFlightCountsAndBudgetReturnToZeroAfterRetries() throws Exception {
        broken.fault(Fault.CLOSE);
        startProxy(broken.address());
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            for (int i = 0; i < 4; i++) {
                assertThat(c.get("a", "/x").status()).isEqualTo(200);
            }
        }
        var cluster = proxy.routing().current().cluster("app");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cluster.retryBudget().activeRequests()).isZero();
            assertThat(cluster.retryBudget().activeRetries()).isZero();
            assertThat(cluster.endpoints()).allSatisfy(e -> assertThat(e.inFlight()).isZero());
        });
    }
}
