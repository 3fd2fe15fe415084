package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.routing.CircuitBreaker;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestBackend.Fault;
import dev.meridian.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each circuit breaker limit on real sockets: the request over it gets 503 with Retry-After, at once, except over
 * max_connections, where it first waits (as in Envoy's pools) up to the connect timeout for a connection to come free.
 */
class CircuitBreakingTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private MeridianServer proxy;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            closeLast.get(i).close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void maxRequestsRefusesTheThirdOfThreeHangingRequests() throws Exception {
        TestBackend backend = backend("slow").fault(Fault.HANG);
        start(backend, "max_requests: 2");
        RawHttpClient first = client();
        RawHttpClient second = client();
        first.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
        second.send("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
        await().atMost(WAIT).until(() -> backend.received().size() == 2);

        long before = System.nanoTime();
        Response refused = client().get("a", "/3");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("retry-after")).isEqualTo("1");
        assertThat(refused.bodyText()).contains("circuit breaker: cluster 'app' has max_requests (2) in flight");
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));  // not queued
        assertThat(backend.received()).hasSize(2);
        assertThat(proxy.stats().overflowMaxRequests.sum()).isEqualTo(1);
        assertThat(proxy.meters().rejections("app", TrafficMeters.BreakerLimit.MAX_REQUESTS)).isEqualTo(1);

        // The slots come back when the requests end, however they end.
        first.close();
        second.close();
        await().atMost(WAIT).until(() -> breaker().requestsInFlight() == 0);
        backend.fault(Fault.NONE);
        assertThat(client().get("a", "/4").status()).isEqualTo(200);
    }

    @Test
    void maxConnectionsCountsIdleAndBusyConnectionsOfTheCluster() throws Exception {
        TestBackend backend = backend("slow").fault(Fault.HANG);
        start(backend, "max_connections: 1", "300ms");
        RawHttpClient first = client();
        first.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
        await().atMost(WAIT).until(() -> backend.received().size() == 1);

        Response refused = client().get("a", "/2");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("retry-after")).isEqualTo("1");
        assertThat(refused.bodyText()).contains("circuit breaker: cluster 'app' has max_connections (1) open")
                .contains("none came free within 300 ms");
        assertThat(backend.connectionsAccepted()).isEqualTo(1);
        assertThat(proxy.stats().overflowMaxConnections.sum()).isEqualTo(1);
        assertThat(proxy.meters().rejections("app", TrafficMeters.BreakerLimit.MAX_CONNECTIONS)).isEqualTo(1);

        // The hung request's connection closes with its client, and its slot with it.
        first.close();
        await().atMost(WAIT).until(() -> breaker().connectionsOpen() == 0);
        backend.fault(Fault.NONE);
        RawHttpClient c = client();
        assertThat(c.get("a", "/3").status()).isEqualTo(200);
        assertThat(c.get("a", "/4").status()).isEqualTo(200);   // the pooled connection is reused, within the limit
        assertThat(breaker().connectionsOpen()).isEqualTo(1);
    }

    @Test
    void overMaxConnectionsARequestWaitsForTheConnectionThatComesFreeAndIsServedOnIt() throws Exception {
        TestBackend backend = backend("laggy").fault(Fault.LAGGY);  // each answer 150 ms late
        start(backend, "max_connections: 1");
        RawHttpClient first = client();
        first.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
        await().atMost(WAIT).until(() -> backend.received().size() == 1);
        RawHttpClient second = client();
        second.send("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");

        assertThat(first.read().status()).isEqualTo(200);
        Response waited = second.read();

        assertThat(waited.status()).as("served on the first request's connection, once it came free").isEqualTo(200);
        assertThat(proxy.stats().overflowMaxConnections.sum()).as("it did wait").isEqualTo(1);
        assertThat(backend.connectionsAccepted()).isEqualTo(1);
        assertThat(backend.received()).hasSize(2);
        assertThat(proxy.meters().rejections("app", TrafficMeters.BreakerLimit.MAX_CONNECTIONS)).isZero();
        assertThat(breaker().connectionsOpen()).isEqualTo(1);
    }

    @Test
    void maxPendingRequestsRefusesARequestWhileAnotherWaitsForItsConnection() throws Exception {
        try (ServerSocket blackhole = new ServerSocket()) {
            blackhole.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            fillAcceptQueue(blackhole);
            proxy = MeridianServer.start(TestConfigs.parse("""
                    clusters:
                      - name: app
                        circuit_breaker:
                          max_pending_requests: 1
                        endpoints:
                          - {id: blackholed, address: "127.0.0.1:%d", region: local}
                    routes:
                      - cluster: app
                        timeouts:
                          connect: 2s
                    """.formatted(blackhole.getLocalPort())), 1);
            RawHttpClient waiting = client();
            waiting.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
            await().atMost(WAIT).until(() -> breaker().pendingRequests() == 1);

            Response refused = client().get("a", "/2");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("retry-after")).isEqualTo("1");
            assertThat(refused.bodyText())
                    .contains("circuit breaker: cluster 'app' has max_pending_requests (1) waiting for a connection");
            assertThat(proxy.stats().overflowMaxPending.sum()).isEqualTo(1);
            assertThat(proxy.meters().rejections("app", TrafficMeters.BreakerLimit.MAX_PENDING)).isEqualTo(1);

            waiting.close();   // a client that gives up stops waiting at once
            await().atMost(WAIT).until(() -> breaker().pendingRequests() == 0);
            await().atMost(WAIT).until(() -> breaker().connectionsOpen() == 0);   // after the connect timeout
        }
    }

    @Test
    void maxRetriesRefusesTheRetryAndAnswers503() throws Exception {
        TestBackend a = backend("a").fault(Fault.CLOSE);
        TestBackend b = backend("b").fault(Fault.CLOSE);
        proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    circuit_breaker:
                      max_retries: 0
                    # An ejection racing the retry would make it free (it flees a dead endpoint), so none here.
                    outlier_detection:
                      consecutive_gateway_failures: 0
                    endpoints:
                      - {id: a, address: "%s", region: local}
                      - {id: b, address: "%s", region: local}
                routes:
                  - cluster: app
                """.formatted(a.address(), b.address())), 1);

        Response r = client().get("a", "/x");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("retry-after")).isEqualTo("1");
        assertThat(r.bodyText()).contains("circuit breaker: cluster 'app' has max_retries (0) retries in flight")
                .contains("closed the connection before responding");
        assertThat(a.received().size() + b.received().size()).isEqualTo(1);   // never sent twice
        assertThat(proxy.stats().overflowMaxRetries.sum()).isEqualTo(1);
        assertThat(proxy.meters().rejections("app", TrafficMeters.BreakerLimit.MAX_RETRIES)).isEqualTo(1);
        assertThat(proxy.stats().retries.sum()).isZero();
    }

    @Test
    void withinTheDefaultRetryLimitARetryStillSavesTheRequest() throws Exception {
        TestBackend broken = backend("broken").fault(Fault.CLOSE);
        TestBackend good = backend("good");
        proxy = MeridianServer.start(TestConfigs.oneCluster(broken, good), 1);
        RawHttpClient c = client();
        for (int i = 0; i < 4; i++) {
            assertThat(c.get("a", "/" + i).status()).isEqualTo(200);
        }
        assertThat(proxy.stats().overflowMaxRetries.sum()).isZero();
    }

    private void start(TestBackend backend, String limit) throws InterruptedException {
        start(backend, limit, "5s");
    }

    private void start(TestBackend backend, String limit, String connectTimeout) throws InterruptedException {
        proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    circuit_breaker:
                      %s
                    endpoints:
                      - {id: %s, address: "%s", region: local}
                routes:
                  - cluster: app
                    timeouts:
                      connect: %s
                      response_header: 10s
                      idle: 10s
                """.formatted(limit, backend.name(), backend.address(), connectTimeout)), 1);
    }

    private CircuitBreaker breaker() {
        return proxy.routing().current().cluster("app").breaker();
    }

    private TestBackend backend(String name) throws InterruptedException {
        TestBackend b = TestBackend.start(name);
        closeLast.add(b);
        return b;
    }

    private RawHttpClient client() throws Exception {
        RawHttpClient c = new RawHttpClient(proxy.address());
        closeLast.add(c);
        return c;
    }

    private void fillAcceptQueue(ServerSocket blackhole) {
        for (int i = 0; i < 4; i++) {
            Socket s = new Socket();
            closeLast.add(s);
            try {
                s.connect(blackhole.getLocalSocketAddress(), 200);
            } catch (java.io.IOException queueFull) {
                return;
            }
        }
    }
}
