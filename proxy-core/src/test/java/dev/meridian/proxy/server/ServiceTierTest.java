package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.config.ContinuityLevel;
import dev.meridian.config.MeridianConfig;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestBackend.Fault;
import dev.meridian.testing.TestConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Continuity levels and automatic shedding by service tier, on real sockets. */
class ServiceTierTest {
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
    void eachContinuityLevelServesItsTiers() throws Exception {
        TestBackend backend = backend("app");
        proxy = MeridianServer.start(tiers(backend, "", ""), 1);

        assertThat(servedTiers()).containsExactly(0, 1, 2, 3, 4);
        assertThat(proxy.continuity().level(ContinuityLevel.ESSENTIAL).before()).isEqualTo(ContinuityLevel.FULL);
        assertThat(servedTiers()).containsExactly(0, 1);
        proxy.continuity().level(ContinuityLevel.SAFE_MODE);
        assertThat(servedTiers()).containsExactly(0);
        proxy.continuity().level(ContinuityLevel.FULL);
        assertThat(servedTiers()).containsExactly(0, 1, 2, 3, 4);
        assertThat(proxy.stats().shedByContinuity.sum()).isEqualTo(3 + 4);
    }

    @Test
    void aShedRequestNamesTheLevelAndTheTierAndNeverReachesTheBackend() throws Exception {
        TestBackend backend = backend("app");
        proxy = MeridianServer.start(tiers(backend, "", ""), 1);
        proxy.continuity().level(ContinuityLevel.ESSENTIAL);

        Response r = client().get("a", "/t3/x");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("retry-after")).isEqualTo("1");
        assertThat(r.bodyText()).contains("continuity level 'essential' serves tiers 0-1 only; route 't3' is tier 3");
        assertThat(backend.received()).isEmpty();
    }

    @Test
    void haltAnswers503ToEverythingEvenWithoutARoute() throws Exception {
        TestBackend backend = backend("app");
        proxy = MeridianServer.start(tiers(backend, "server:\n  continuity: halt\n", ""), 1);
        assertThat(proxy.continuity().level()).isEqualTo(ContinuityLevel.HALT);

        assertThat(servedTiers()).isEmpty();
        Response unrouted = client().get("a", "/nowhere");
        assertThat(unrouted.status()).isEqualTo(503);
        assertThat(unrouted.header("retry-after")).isEqualTo("1");
        assertThat(unrouted.bodyText()).contains("continuity level 'halt': the proxy serves no traffic");
        assertThat(backend.received()).isEmpty();
        assertThat(proxy.stats().shedByContinuity.sum()).isEqualTo(6);
    }

    @Test
    void aReloadKeepsARuntimeLevelUnlessTheFileChangedIt() {
        Continuity c = new Continuity(ContinuityLevel.FULL, true);
        c.level(ContinuityLevel.SAFE_MODE);
        assertThat(c.configured(ContinuityLevel.FULL, true).changed()).isFalse();
        assertThat(c.level()).isEqualTo(ContinuityLevel.SAFE_MODE);
        assertThat(c.configured(ContinuityLevel.ESSENTIAL, false).after()).isEqualTo(ContinuityLevel.ESSENTIAL);
        assertThat(c.level()).isEqualTo(ContinuityLevel.ESSENTIAL);
        assertThat(c.autoShedding()).isFalse();
    }

    @Test
    void nearMaxRequestsTheLowestTierIsShedWhileTheCriticalOneIsStillServed() throws Exception {
        TestBackend backend = backend("app").fault(Fault.HANG);
        proxy = MeridianServer.start(tiers(backend, "", "max_requests: 10"), 1);
        List<RawHttpClient> hanging = fill(backend, "/t0/", 9);   // 90 % of max_requests in flight

        Response low = client().get("a", "/t4/x");
        assertThat(low.status()).isEqualTo(503);
        assertThat(low.header("retry-after")).isEqualTo("1");
        assertThat(low.bodyText()).contains("shed: cluster 'app' has 9 of 10 max_requests in flight, and tier 4"
                + " (route 't4') is shed from 90%");
        assertThat(proxy.stats().shedByLoad.sum()).isEqualTo(1);

        // Tier 0 still gets through at 90 %: it is refused only at the limit itself.
        RawHttpClient critical = client();
        critical.send("GET /t0/last HTTP/1.1\r\nHost: a\r\n\r\n");
        await().atMost(WAIT).until(() -> backend.received().size() == 10);
        Response full = client().get("a", "/t0/over");
        assertThat(full.status()).isEqualTo(503);
        assertThat(full.bodyText()).contains("has max_requests (10) in flight");
        assertThat(proxy.stats().overflowMaxRequests.sum()).isEqualTo(1);
        assertThat(backend.received()).hasSize(10);
        hanging.forEach(this::closeQuietly);
    }

    @Test
    void withAutomaticSheddingOffOnlyTheLimitRefuses() throws Exception {
        TestBackend backend = backend("app").fault(Fault.HANG);
        proxy = MeridianServer.start(tiers(backend, "server:\n  auto_shedding: false\n", "max_requests: 10"), 1);
        fill(backend, "/t0/", 9);

        RawHttpClient low = client();
        low.send("GET /t4/x HTTP/1.1\r\nHost: a\r\n\r\n");
        await().atMost(WAIT).until(() -> backend.received().size() == 10);
        assertThat(proxy.stats().shedByLoad.sum()).isZero();
    }

    /** Sends {@code n} requests that hang, each on its own connection, and waits until the backend has them all. */
    private List<RawHttpClient> fill(TestBackend backend, String prefix, int n) throws Exception {
        List<RawHttpClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RawHttpClient c = client();
            c.send("GET " + prefix + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
            clients.add(c);
        }
        await().atMost(WAIT).until(() -> backend.received().size() == n);
        return clients;
    }

    private List<Integer> servedTiers() throws Exception {
        Map<Integer, Integer> status = new TreeMap<>();
        RawHttpClient c = client();
        for (int tier = 0; tier <= 4; tier++) {
            Response r = c.get("a", "/t" + tier + "/x");
            status.put(tier, r.status());
            if (r.status() == 503) {
                assertThat(r.header("retry-after")).isEqualTo("1");
            }
        }
        return status.entrySet().stream().filter(e -> e.getValue() == 200).map(Map.Entry::getKey).toList();
    }

    /** Routes /t0/ .. /t4/ of tiers 0..4 to one backend. */
    private static MeridianConfig tiers(TestBackend backend, String server, String limit) {
        StringBuilder routes = new StringBuilder();
        for (int tier = 0; tier <= 4; tier++) {
            routes.append("""
                      - name: t%d
                        match:
                          path_prefix: /t%d/
                        cluster: app
                        tier: %d
                        timeouts:
                          response_header: 10s
                          idle: 10s
                    """.formatted(tier, tier, tier));
        }
        return TestConfigs.parse(server + """
                clusters:
                  - name: app
                    circuit_breaker:
                      %s
                    endpoints:
                      - {id: app, address: "%s", region: local}
                routes:
                """.formatted(limit.isEmpty() ? "max_requests: 1024" : limit, backend.address()) + routes);
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

    private void closeQuietly(RawHttpClient c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // the test is over
        }
    }
}
