package dev.meridian.health.probe;

import static dev.meridian.health.probe.HealthFixtures.cluster;
import static dev.meridian.health.probe.HealthFixtures.config;
import static dev.meridian.health.probe.HealthFixtures.endpoint;
import static dev.meridian.health.probe.HealthFixtures.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.config.HealthCheckConfig;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.RoutingTable;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Scheduling, rise/fall, reloads and shutdown, against real sockets on 127.0.0.1. */
@ExtendWith(LeakReports.class)
class ActiveHealthCheckerTest {
    private static final Duration WITHIN = Duration.ofSeconds(3);
    private static final Duration POLL = Duration.ofMillis(5);
    private static EventLoopGroup loops;

    private final RecordingListener listener = new RecordingListener();
    private final ProbeBackend a = ProbeBackend.start();
    private final ProbeBackend b = ProbeBackend.start();
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
        }
        a.close();
        b.close();
    }

    private ActiveHealthChecker checker(LongUnaryOperator random) {
        checker = new ActiveHealthChecker(loops, NioSocketChannel.class, listener, System::nanoTime, random);
        return checker;
    }

    private RoutingTable startOne(HealthCheckConfig check) {
        RoutingTable table = RoutingTable.build(config(cluster("api", check, endpoint("a", a.port()))), null);
        checker(bound -> 0).start(table);
        await().atMost(WITHIN).pollInterval(POLL).until(() -> listener.count("a", true) == 1);
        return table;
    }

    @Test
    void blackholedEndpointIsUnhealthyWithinHalfASecond() {
        startOne(http().timing(100, 100, 0).thresholds(2, 2).build());

        a.hang();
        long fault = System.nanoTime();

        await().atMost(Duration.ofMillis(500)).pollInterval(POLL).until(() -> listener.count("a", false) == 1);
        var report = listener.last("a");
        assertThat(report.cause()).isEqualTo("timeout after 100 ms");
        assertThat(TimeUnit.NANOSECONDS.toMillis(report.atNanos() - fault)).isLessThan(500);
        assertThat(listener.reports("a")).hasSize(2);
    }

    @Test
    void endpointThatAnswersAgainIsHealthyAfterRisePasses() {
        startOne(http().timing(100, 100, 0).thresholds(2, 2).build());
        a.hang();
        await().atMost(WITHIN).pollInterval(POLL).until(() -> listener.count("a", false) == 1);

        a.answer(200, "ok");
        long back = System.nanoTime();

        await().atMost(Duration.ofMillis(300 + 2 * 100)).pollInterval(POLL)
                .until(() -> listener.count("a", true) == 2);
        assertThat(listener.last("a").cause()).isEqualTo("status 200");
        assertThat(TimeUnit.NANOSECONDS.toMillis(listener.last("a").atNanos() - back)).isLessThan(500);
    }

    @Test
    void restartedEndpointIsBackAfterRisePasses() {
        startOne(http().timing(100, 100, 0).thresholds(2, 2).build());
        a.stop();
        await().atMost(WITHIN).pollInterval(POLL).until(() -> listener.count("a", false) == 1);
        assertThat(listener.last("a").cause()).isEqualTo("connect refused");

        a.restart();

        await().atMost(Duration.ofMillis(300 + 2 * 100)).pollInterval(POLL)
                .until(() -> listener.count("a", true) == 2);
    }

    @Test
    void failuresBelowTheThresholdAreNotReported() {
        listener.observing(a::requests);
        startOne(http().timing(50, 100, 0).thresholds(2, 3).build());
        int before = a.requests();

        a.answer(503, "busy");

        await().atMost(WITHIN).pollInterval(POLL).until(() -> listener.count("a", false) == 1);
        assertThat((int) listener.last("a").observed()).as("requests served when reported")
                .isEqualTo(before + 3);
    }

    @Test
    void idleEndpointIsCheckedAtTheNoTrafficInterval() {
        startOne(http().timing(50, 100, 0).noTrafficInterval(400).build());

        await().atMost(WITHIN).pollInterval(POLL).until(() -> a.requests() >= 3);

        // Far above the 50 ms interval; not exact, since one check's connect latency shifts its arrival.
        assertThat(gapsMillis(a.received())).allSatisfy(gap -> assertThat(gap).isGreaterThanOrEqualTo(250));
    }

    @Test
    void endpointWithTrafficIsCheckedAtTheInterval() {
        RoutingTable table = RoutingTable.build(config(cluster("api",
                http().timing(50, 100, 0).noTrafficInterval(5_000).build(), endpoint("a", a.port()))), null);
        EndpointState state = table.endpoint("a");
        // Every check finds a request sent since the previous one, as a busy endpoint would.
        a.onRequest(() -> {
            state.requestStarted();
            state.requestEnded();
        });
        checker(bound -> 0).start(table);

        await().atMost(Duration.ofSeconds(2)).pollInterval(POLL).until(() -> a.requests() >= 6);
    }

    @Test
    void unhealthyEndpointIsRecheckedAtTheIntervalEvenWithoutTraffic() {
        // An endpoint out of rotation gets no traffic because of that; the slow interval would delay its return.
        a.answer(503, "down");
        RoutingTable table = RoutingTable.build(config(cluster("api",
                http().timing(50, 100, 0).thresholds(2, 2).noTrafficInterval(5_000).build(),
                endpoint("a", a.port()))), null);
        checker(bound -> 0).start(table);
        await().atMost(WITHIN).pollInterval(POLL).until(() -> listener.count("a", false) == 1);

        await().atMost(Duration.ofSeconds(1)).pollInterval(POLL).until(() -> a.requests() >= 4);
        a.answer(200, "ok");

        await().atMost(Duration.ofSeconds(1)).pollInterval(POLL).until(() -> listener.count("a", true) == 1);
    }

    @Test
    void jitterIsAddedWithinItsBound() {
        List<Long> bounds = new CopyOnWriteArrayList<>();
        RoutingTable table = RoutingTable.build(config(cluster("api", http().timing(50, 100, 100).build(),
                endpoint("a", a.port()))), null);
        checker(bound -> {
            bounds.add(bound);
            return bound;
        }).start(table);

        await().atMost(WITHIN).pollInterval(POLL).until(() -> a.requests() >= 5);

        assertThat(bounds).isNotEmpty().allSatisfy(b -> assertThat(b).isEqualTo(Duration.ofMillis(100).toNanos()));
        // The mean, not each gap: an arrival's own connect latency shifts one gap and shortens the next.
        double meanGap = gapsMillis(a.received()).stream().mapToLong(Long::longValue).average().orElseThrow();
        // Clearly above the bare 50 ms interval; a loaded machine skews single arrivals either way.
        assertThat(meanGap).as("interval 50 ms + the full 100 ms of jitter").isBetween(110.0, 300.0);
    }

    @Test
    void jitterFromTheDefaultRandomStaysInBounds() {
        var real = new ActiveHealthChecker(loops, NioSocketChannel.class, listener, System::nanoTime);
        long bound = Duration.ofMillis(20).toNanos();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 10_000; i++) {
            long j = real.jitter(bound);
            min = Math.min(min, j);
            max = Math.max(max, j);
        }
        assertThat(min).isGreaterThanOrEqualTo(0).isLessThan(bound / 10);
        assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(bound - bound / 10);
        assertThat(real.jitter(0)).isZero();
        real.close();
    }

    @Test
    void jitterFromAnInjectedRandomIsClampedToItsBound() {
        assertThat(checker(bound -> bound * 2).jitter(100)).isEqualTo(100);
        assertThat(checker(bound -> -5).jitter(100)).isZero();
    }

    @Test
    void reloadKeepsCountersOfPersistingEndpointsAndStopsRemovedOnes() {
        var c = ProbeBackend.start();
        try {
            listener.observing(a::requests);
            HealthCheckConfig check = http().timing(300, 200, 0).thresholds(2, 3).build();
            RoutingTable first = RoutingTable.build(config(cluster("api", check,
                    endpoint("a", a.port()), endpoint("b", b.port()))), null);
            checker(bound -> 0).start(first);
            await().atMost(WITHIN).pollInterval(POLL)
                    .until(() -> listener.count("a", true) == 1 && listener.count("b", true) == 1);
            assertThat(checker.checkedEndpoints()).isEqualTo(2);

            int before = a.requests();
            a.answer(503, "busy");
            await().atMost(WITHIN).pollInterval(POLL).until(() -> a.requests() == before + 1);
            RoutingTable second = RoutingTable.build(config(cluster("api", check,
                    endpoint("a", a.port()), endpoint("c", c.port()))), first);
            assertThat(second.endpoint("a")).isSameAs(first.endpoint("a"));
            checker.update(second);

            await().atMost(WITHIN).pollInterval(POLL).until(() -> listener.count("c", true) == 1);
            await().atMost(WITHIN).pollInterval(POLL).until(() -> listener.count("a", false) == 1);
            assertThat((int) listener.last("a").observed())
                    .as("a fresh start would have reported its first failure at once")
                    .isEqualTo(before + 3);
            assertThat(listener.count("a", true)).as("health kept, not re-announced").isEqualTo(1);
            assertThat(checker.checkedEndpoints()).isEqualTo(2);
            int bRequests = b.requests();
            await().during(Duration.ofMillis(700)).atMost(WITHIN).until(() -> b.requests() == bRequests);
            assertThat(listener.reports("b")).hasSize(1);
        } finally {
            c.close();
        }
    }

    @Test
    void reloadWithoutChecksForAClusterStopsThem() {
        RoutingTable first = startOne(http().timing(50, 100, 0).build());

        checker.update(RoutingTable.build(config(cluster("api", null, endpoint("a", a.port()))), first));

        assertThat(checker.checkedEndpoints()).isZero();
        await().atMost(WITHIN).pollInterval(POLL).until(() -> checker.scheduledChecks() == 0);
        int requests = a.requests();
        await().during(Duration.ofMillis(300)).atMost(WITHIN).until(() -> a.requests() == requests);
    }

    @Test
    void closeLeavesNoScheduledCheckAndNoOpenConnection() {
        a.hang();
        RoutingTable table = RoutingTable.build(config(
                cluster("api", http().timing(50, 2_000, 0).build(), endpoint("a", a.port())),
                cluster("tcp", HealthFixtures.tcp().timing(50, 100, 0).build(), endpoint("b", b.port()))), null);
        checker(bound -> 0).start(table);
        await().atMost(WITHIN).pollInterval(POLL).until(() -> a.openConnections() == 1 && b.accepted() >= 2);

        checker.close();

        await().atMost(WITHIN).pollInterval(POLL).until(() -> checker.scheduledChecks() == 0
                && checker.openConnections() == 0 && a.openConnections() == 0 && b.openConnections() == 0);
        int accepted = a.accepted() + b.accepted();
        await().during(Duration.ofMillis(300)).atMost(WITHIN).until(() -> a.accepted() + b.accepted() == accepted);
        assertThat(listener.reports("a")).as("the hung check was abandoned, not reported").isEmpty();
    }

    @Test
    void endpointsAreSpreadOverTheLoops() {
        List<Thread> threads = new CopyOnWriteArrayList<>();
        checker = new ActiveHealthChecker(loops, NioSocketChannel.class, new dev.meridian.health.ActiveCheckListener() {
            @Override
            public void checkedHealthy(EndpointState endpoint, String cause) {
                threads.add(Thread.currentThread());
            }

            @Override
            public void checkedUnhealthy(EndpointState endpoint, String cause) {
                threads.add(Thread.currentThread());
            }
        }, System::nanoTime, bound -> 0);
        checker.start(RoutingTable.build(config(cluster("api", http().build(),
                endpoint("a", a.port()), endpoint("b", b.port()))), null));

        await().atMost(WITHIN).pollInterval(POLL).until(() -> threads.size() == 2);
        assertThat(threads).doesNotHaveDuplicates();
    }

    @Test
    void aThrowingListenerDoesNotStopTheChecks() {
        AtomicReference<Integer> calls = new AtomicReference<>(0);
        checker = new ActiveHealthChecker(loops, NioSocketChannel.class, new dev.meridian.health.ActiveCheckListener() {
            @Override
            public void checkedHealthy(EndpointState endpoint, String cause) {
                calls.updateAndGet(n -> n + 1);
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void checkedUnhealthy(EndpointState endpoint, String cause) {
                calls.updateAndGet(n -> n + 1);
            }
        }, System::nanoTime, bound -> 0);
        checker.start(RoutingTable.build(config(cluster("api",
                http().timing(50, 100, 0).thresholds(1, 1).build(), endpoint("a", a.port()))), null));
        await().atMost(WITHIN).pollInterval(POLL).until(() -> calls.get() == 1);

        a.answer(500, "no");

        await().atMost(WITHIN).pollInterval(POLL).until(() -> calls.get() == 2);
    }

    private static List<Long> gapsMillis(List<ProbeBackend.Received> received) {
        return java.util.stream.IntStream.range(1, received.size())
                .mapToObj(i -> TimeUnit.NANOSECONDS.toMillis(received.get(i).atNanos() - received.get(i - 1).atNanos()))
                .toList();
    }
}
