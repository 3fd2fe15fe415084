package dev.meridian.health.probe;

import static dev.meridian.health.probe.HealthFixtures.cluster;
import static dev.meridian.health.probe.HealthFixtures.config;
import static dev.meridian.health.probe.HealthFixtures.endpoint;
import static dev.meridian.health.probe.HealthFixtures.http;
import static dev.meridian.health.probe.HealthFixtures.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.HealthCheckConfig;
import dev.meridian.config.StatusRange;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.RoutingTable;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What one check sends and how it judges the answer, through the first result that every endpoint reports. */
@ExtendWith(LeakReports.class)
class HttpAndTcpProbeTest {
    private static final Duration WITHIN = Duration.ofSeconds(3);
    private static EventLoopGroup loops;

    private final RecordingListener listener = new RecordingListener();
    private final ProbeBackend backend = ProbeBackend.start();
    private ActiveHealthChecker checker;

    @BeforeAll
    static void loops() {
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void tearDown() {
        if (checker != null) {
            checker.close();
            await().atMost(WITHIN).until(() -> checker.openConnections() == 0 && checker.scheduledChecks() == 0);
        }
        backend.close();
    }

    /** The first result of an endpoint checked with {@code check}, reported at once whichever way it went. */
    private RecordingListener.Report firstResult(HealthCheckConfig check, int port) {
        checker = new ActiveHealthChecker(loops, NioSocketChannel.class, listener, System::nanoTime);
        checker.start(RoutingTable.build(config(cluster("api", check, endpoint("a", port))), null));
        await().atMost(WITHIN).until(() -> listener.last("a") != null);
        return listener.reports("a").get(0);
    }

    @Test
    void httpPassSendsTheConfiguredRequest() {
        var report = firstResult(http().request("HEAD", "/healthz", null).build(), backend.port());

        assertThat(report.healthy()).isTrue();
        assertThat(report.cause()).isEqualTo("status 200");
        var got = backend.received().get(0);
        assertThat(got.method()).isEqualTo("HEAD");
        assertThat(got.uri()).isEqualTo("/healthz");
        assertThat(got.headers().get("host")).isEqualTo("127.0.0.1:" + backend.port());
        assertThat(got.headers().get("user-agent")).isEqualTo("meridian-health-check");
        assertThat(got.headers().get("connection")).isEqualToIgnoringCase("close");
    }

    @Test
    void hostHeaderComesFromTheConfigWhenSet() {
        firstResult(http().request("GET", "/", "status.internal").build(), backend.port());

        assertThat(backend.received().get(0).headers().get("host")).isEqualTo("status.internal");
    }

    @Test
    void statusOutsideTheDefaultRangeFails() {
        backend.answer(503, "down");

        var report = firstResult(http().build(), backend.port());

        assertThat(report.healthy()).isFalse();
        assertThat(report.cause()).isEqualTo("status 503 not in 200-399");
    }

    @Test
    void configuredRangesDecide() {
        backend.answer(302, "elsewhere");

        var report = firstResult(http().expect(new StatusRange(200, 299), new StatusRange(404, 404)).build(),
                backend.port());

        assertThat(report.healthy()).isFalse();
        assertThat(report.cause()).isEqualTo("status 302 not in 200-299, 404");
    }

    @Test
    void anyListedRangePasses() {
        backend.answer(404, "nothing here, which this service calls healthy");

        var report = firstResult(http().expect(new StatusRange(200, 299), new StatusRange(404, 404)).build(),
                backend.port());

        assertThat(report.healthy()).isTrue();
        assertThat(report.cause()).isEqualTo("status 404");
    }

    @Test
    void bodySubstringPasses() {
        backend.answer(200, "{\"status\":\"ok\",\"db\":\"up\"}");

        assertThat(firstResult(http().bodyContains("\"db\":\"up\"").build(), backend.port()).healthy()).isTrue();
    }

    @Test
    void bodyWithoutTheSubstringFails() {
        backend.answer(200, "{\"status\":\"degraded\"}");

        var report = firstResult(http().bodyContains("ok").build(), backend.port());

        assertThat(report.healthy()).isFalse();
        assertThat(report.cause()).isEqualTo("body lacks 'ok'");
    }

    @Test
    void oversizedBodyFailsWithoutLeaking() {
        backend.answer(200, "x".repeat(HttpProbe.MAX_RESPONSE_BYTES + 1));

        var report = firstResult(http().bodyContains("x").build(), backend.port());

        assertThat(report.healthy()).isFalse();
        assertThat(report.cause()).isEqualTo("response over 64 KiB");
    }

    @Test
    void httpToAClosedPortFailsAsRefused() throws Exception {
        var report = firstResult(http().build(), HealthFixtures.closedPort());

        assertThat(report.healthy()).isFalse();
        assertThat(report.cause()).isEqualTo("connect refused");
    }

    @Test
    void tcpPassesOnConnect() {
        var report = firstResult(tcp().build(), backend.port());

        assertThat(report.healthy()).isTrue();
        assertThat(report.cause()).isEqualTo("connected");
        assertThat(backend.requests()).isZero();
        await().atMost(WITHIN).until(() -> backend.accepted() == 1 && backend.openConnections() == 0);
    }

    @Test
    void tcpFailsWhenRefused() throws Exception {
        var report = firstResult(tcp().build(), HealthFixtures.closedPort());

        assertThat(report.healthy()).isFalse();
        assertThat(report.cause()).isEqualTo("connect refused");
    }

    @Test
    void silentBackendFailsByTimeoutAndItsConnectionIsClosed() {
        backend.hang();

        var report = firstResult(http().timing(1000, 150, 0).build(), backend.port());

        assertThat(report.healthy()).isFalse();
        assertThat(report.cause()).isEqualTo("timeout after 150 ms");
        await().atMost(WITHIN).until(() -> backend.openConnections() == 0);
    }

    @Test
    void probeOnceUsesTheClusterCheck() {
        checker = new ActiveHealthChecker(loops, NioSocketChannel.class, listener, System::nanoTime);
        ClusterConfig api = cluster("api", http().request("GET", "/ready", null).bodyContains("ok").build(),
                endpoint("a", backend.port()));
        EndpointState a = RoutingTable.build(config(api), null).endpoint("a");

        assertThat(probeOnce(a, api)).isTrue();
        assertThat(backend.received()).extracting(ProbeBackend.Received::uri).containsExactly("/ready");

        backend.answer(200, "starting");
        assertThat(probeOnce(a, api)).isFalse();
        backend.answer(500, "ok");
        assertThat(probeOnce(a, api)).isFalse();
        assertThat(listener.reports("a")).as("one-shots are not rise/fall checks").isEmpty();
    }

    @Test
    void probeOnceConnectsWhenTheClusterHasNoCheck() throws Exception {
        checker = new ActiveHealthChecker(loops, NioSocketChannel.class, listener, System::nanoTime);
        ClusterConfig api = cluster("api", null, endpoint("a", backend.port()), endpoint("b",
                HealthFixtures.closedPort()));
        RoutingTable table = RoutingTable.build(config(api), null);

        assertThat(probeOnce(table.endpoint("a"), api)).isTrue();
        assertThat(backend.requests()).as("a bare connect, no request").isZero();
        assertThat(probeOnce(table.endpoint("b"), api)).isFalse();
    }

    @Test
    void probeOnceAfterCloseAnswersFalse() {
        checker = new ActiveHealthChecker(loops, NioSocketChannel.class, listener, System::nanoTime);
        ClusterConfig api = cluster("api", http().build(), endpoint("a", backend.port()));
        EndpointState a = RoutingTable.build(config(api), null).endpoint("a");
        checker.close();

        assertThat(probeOnce(a, api)).isFalse();
        assertThat(backend.accepted()).isZero();
    }

    @Test
    void closeAnswersAOneShotInFlight() {
        backend.hang();
        checker = new ActiveHealthChecker(loops, NioSocketChannel.class, listener, System::nanoTime);
        ClusterConfig api = cluster("api", http().timing(1000, 5000, 0).build(), endpoint("a", backend.port()));
        EndpointState a = RoutingTable.build(config(api), null).endpoint("a");
        var answer = new CompletableFuture<Boolean>();
        checker.probeOnce(a, api, answer::complete);
        await().atMost(WITHIN).until(() -> backend.requests() == 1);

        checker.close();

        await().atMost(WITHIN).until(answer::isDone);
        assertThat(answer.join()).isFalse();
        await().atMost(WITHIN).until(() -> backend.openConnections() == 0 && checker.openConnections() == 0);
    }

    private boolean probeOnce(EndpointState endpoint, ClusterConfig cluster) {
        var answer = new CompletableFuture<Boolean>();
        checker.probeOnce(endpoint, cluster, answer::complete);
        await().atMost(WITHIN).until(answer::isDone);
        return answer.join();
    }
}
