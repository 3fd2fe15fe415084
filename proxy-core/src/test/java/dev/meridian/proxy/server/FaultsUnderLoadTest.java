package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.proxy.upstream.UpstreamConnection;
import dev.meridian.proxy.upstream.UpstreamPool;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.testing.FileDescriptors;
import dev.meridian.testing.LeakSweep;
import dev.meridian.testing.MixedLoad;
import dev.meridian.testing.RudeClients;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestBackend.Fault;
import dev.meridian.testing.TestConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 7, item 5: while keep-alive clients send GETs and POSTs through the proxy and other clients walk away
 * mid-request and mid-response, backends are killed and restarted, reset connections, and stall and recover. Then
 * nothing may be left over: every client request ended (a response or a close) within a bound, no request or
 * connection is still counted anywhere, no dead connection waits in a pool, no descriptor stays open, no buffer
 * leaked.
 *
 * <p>The descriptor check runs twice. With the proxy still up, its only connections may be idle pooled ones, each
 * matched one for one by an open connection at a backend (a half-dead pooled socket would show as a difference). After
 * the proxy and backends closed, no kind of descriptor may be more numerous than before they started (fewer is
 * fine: other test classes' garbage may be collected meanwhile, closing theirs).
 */
class FaultsUnderLoadTest {
    private static final int CLIENTS = 4;
    private static final int RUDE_CLIENTS = 2;
    private static final Duration BOUND = Duration.ofSeconds(10);
    /** Responses to wait for while all is well, before the first fault and after the last. */
    private static final int PHASE_RESPONSES = 200;
    /** Requests each fault must meet before it ends. */
    private static final int FAULTED_REQUESTS = 40;

    private final List<TestBackend> backends = new ArrayList<>();
    private MeridianServer proxy;
    private MixedLoad load;
    private RudeClients rude;

    @AfterEach
    void stop() throws Exception {
        if (load != null) {
            load.stop();
        }
        if (rude != null) {
            rude.stop();
        }
        if (proxy != null) {
            proxy.close();
        }
        backends.forEach(TestBackend::close);
    }

    @Test
    void faultsUnderLoadLeaveNothingBehind() throws Exception {
        Map<String, Integer> fdsBefore = FileDescriptors.available() ? FileDescriptors.releasable() : Map.of();
        TestBackend a = backend(TestBackend.start("a"));
        TestBackend b = backend(TestBackend.start("b"));
        TestBackend c = backend(TestBackend.start("c"));
        proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    # No ejection: a faulty backend keeps its share, so every fault meets many requests.
                    outlier_detection:
                      consecutive_gateway_failures: 0
                      consecutive_5xx: 0
                    endpoints:
                %s
                routes:
                  - cluster: app
                    timeouts:
                      connect: 500ms
                      response_header: 1s
                      idle: 1s
                """.formatted(endpoints(a, b, c))), 2);
        load = MixedLoad.start(proxy.address(), CLIENTS, 60);
        rude = RudeClients.start(proxy.address(), RUDE_CLIENTS, 60);
        awaitResponses(PHASE_RESPONSES);
        phase("warm-up");

        // Killed: every connection to it ends, and none of them may stay pooled.
        int bPort = b.port();
        long refusedBefore = proxy.stats().connectFailures.sum();
        b.close();
        await().atMost(BOUND).untilAsserted(() -> assertThat(idleByEndpoint()).doesNotContainKey("b"));
        await().atMost(BOUND).until(() -> proxy.stats().connectFailures.sum() - refusedBefore >= FAULTED_REQUESTS);
        awaitResponses(PHASE_RESPONSES);
        phase("b killed");
        TestBackend b2 = backend(TestBackend.start("b", bPort));
        awaitReceived(b2, FAULTED_REQUESTS);
        phase("b restarted");

        // Resets: before any response byte, then in the middle of a response body.
        c.fault(Fault.RESET);
        awaitReceived(c, FAULTED_REQUESTS);
        phase("c resets");
        c.fault(Fault.RESET_MID_RESPONSE);
        awaitReceived(c, FAULTED_REQUESTS);
        phase("c resets mid-response");
        c.fault(Fault.NONE);

        // Stalls, then recovers; and then everything runs clean for a while.
        a.fault(Fault.HANG);
        awaitReceived(a, FAULTED_REQUESTS);
        phase("a hangs");
        a.fault(Fault.NONE);
        // Stops reading: uploads back up into the proxy, which must not wait for it forever either.
        b2.fault(Fault.FREEZE);
        awaitReceived(b2, FAULTED_REQUESTS / 4);
        phase("b freezes");
        b2.fault(Fault.NONE);
        awaitResponses(PHASE_RESPONSES);
        phase("recovered");
        load.stop();
        rude.stop();
        phase("load stopped");

        MixedLoad.Ledger ledger = load.ledger();
        String context = ledger + " rude=" + rude.made() + " " + counters();
        System.out.println("faults under load: " + context);
        assertThat(ledger.outstanding()).as(context).isZero();
        assertThat(ledger.hungRequests()).as(context).isEmpty();
        assertThat(ledger.corrupt()).as(context).isEmpty();
        assertThat(ledger.slowestMillis()).as(context).isLessThan(MixedLoad.READ_TIMEOUT_MILLIS);
        assertThat(ledger.statuses()).as(context).containsKey(200);
        assertThat(rude.made()).as(context).hasSize(RudeClients.Move.values().length);
        assertThat(proxy.stats().stuckExchanges.sum()).as(context).isZero();

        // With the proxy still up: no exchange, client connection or count left; pooled connections all alive.
        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(proxy.activeExchanges()).as("active exchanges").isZero();
            assertThat(proxy.downstreamConnections()).as("client connections").isZero();
        });
        Cluster app = proxy.routing().current().cluster("app");
        for (EndpointState e : app.endpoints()) {
            assertThat(e.inFlight()).as("in flight to " + e.id()).isZero();
        }
        assertThat(app.breaker().requestsInFlight()).as("breaker requests").isZero();
        assertThat(app.breaker().pendingRequests()).as("breaker pending").isZero();
        assertThat(app.retryBudget().activeRetries()).as("retries in flight").isZero();
        assertThat(app.retryBudget().activeRequests()).as("budget requests").isZero();
        await().atMost(BOUND).untilAsserted(() -> {
            Map<String, List<UpstreamConnection>> idle = idleByEndpoint();
            int pooled = 0;
            for (TestBackend backend : List.of(a, b2, c)) {
                List<UpstreamConnection> mine = idle.getOrDefault(backend.name(), List.of());
                assertThat(mine).as("pooled connections to " + backend.name())
                        .allMatch(u -> u.channel().isActive());
                assertThat(mine).as("pooled connections to " + backend.name() + " vs open at the backend")
                        .hasSize(backend.openConnections());
                assertThat(proxy.meters().endpoint(backend.name()).connectionsOpen())
                        .as("connections to " + backend.name() + " in the metrics vs pooled").isEqualTo(mine.size());
                pooled += mine.size();
            }
            assertThat(app.breaker().connectionsOpen()).as("breaker connections vs pooled").isEqualTo(pooled);
        });

        proxy.close();
        proxy = null;
        backends.forEach(TestBackend::close);
        if (FileDescriptors.available()) {
            await().atMost(BOUND).untilAsserted(() -> assertThat(FileDescriptors.grownSince(fdsBefore))
                    .as("descriptors held now beyond those before starting, by kind").isEmpty());
        }
        phase("closed, descriptors back");
        assertThat(LeakSweep.sweep(BOUND)).as("ByteBuf leaks").isEmpty();
        phase("leak sweep");
    }

    private TestBackend backend(TestBackend b) {
        backends.add(b);
        return b;
    }

    private long phaseStart = System.nanoTime();

    private void phase(String name) {
        long now = System.nanoTime();
        System.out.println("phase done in " + (now - phaseStart) / 1_000_000 + " ms: " + name);
        phaseStart = now;
    }

    private void awaitResponses(long more) {
        long target = load.ledger().responded() + more;
        await().atMost(BOUND).until(() -> load.ledger().responded() >= target);
    }

    private static void awaitReceived(TestBackend backend, int more) {
        int target = backend.received().size() + more;
        await().atMost(BOUND).until(() -> backend.received().size() >= target);
    }

    /** Every pool's idle connections, by endpoint id, each pool read on its own loop. */
    private Map<String, List<UpstreamConnection>> idleByEndpoint() throws Exception {
        Map<String, List<UpstreamConnection>> all = new TreeMap<>();
        for (UpstreamPool pool : proxy.context().pools().all()) {
            for (var entry : pool.idleConnections().get(5, TimeUnit.SECONDS).entrySet()) {
                if (!entry.getValue().isEmpty()) {
                    all.computeIfAbsent(entry.getKey().id(), k -> new ArrayList<>()).addAll(entry.getValue());
                }
            }
        }
        return all;
    }

    private String counters() {
        ProxyStats st = proxy.stats();
        return "requests=" + st.requests.sum() + " retries=" + st.retries.sum() + " resets="
                + st.upstreamResets.sum() + " connectFailures=" + st.connectFailures.sum() + " timeouts="
                + st.responseTimeouts.sum() + " staleRetries=" + st.staleRetries.sum() + " hedges="
                + st.hedges.sum() + " stuck=" + st.stuckExchanges.sum() + " noEndpoint=" + st.noEndpoint.sum();
    }

    private static String endpoints(TestBackend... bs) {
        StringBuilder sb = new StringBuilder();
        for (TestBackend b : bs) {
            sb.append("      - {id: ").append(b.name()).append(", address: \"").append(b.address())
                    .append("\", region: local}\n");
        }
        return sb.toString();
    }
}
