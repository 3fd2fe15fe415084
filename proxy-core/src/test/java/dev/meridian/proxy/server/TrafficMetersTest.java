package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.Route;
import dev.meridian.routing.RoutingTable;
import dev.meridian.testing.TestConfigs;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** What the data plane calls per request: counted where it should be, and allocating nothing once keys exist. */
class TrafficMetersTest {
    /** values() copies its array: looked up once, outside the measured loop. */
    private static final TrafficMeters.BreakerLimit[] LIMITS = TrafficMeters.BreakerLimit.values();

    @Test
    void statusCodesLandInTheirClass() {
        TrafficMeters meters = new TrafficMeters();
        LongAdder[] route = meters.route("api");
        for (int code : new int[] {200, 204, 301, 404, 451, 502, 503, 599}) {
            TrafficMeters.responded(route, code);
        }
        assertThat(route[0].sum()).isEqualTo(2);
        assertThat(route[1].sum()).isEqualTo(1);
        assertThat(route[2].sum()).isEqualTo(2);
        assertThat(route[3].sum()).isEqualTo(3);
        assertThat(meters.route("api")).isSameAs(route);
    }

    @Test
    void aBoundTableReachesTheCountersOfItsNamesAndAnUnboundOneLooksThemUp() {
        TrafficMeters meters = new TrafficMeters();
        String yaml = """
                clusters:
                  - name: app
                    endpoints:
                      - {id: a, address: "127.0.0.1:1", region: local}
                routes:
                  - {name: api, cluster: app}
                """;
        RoutingTable bound = RoutingTable.build(TestConfigs.parse(yaml), null);
        meters.bind(bound);
        RoutingTable unbound = RoutingTable.build(TestConfigs.parse(yaml), null);

        assertThat(bound.routes().get(0).meters()).isSameAs(meters.route("api"));
        assertThat(bound.cluster("app").meters()).isSameAs(meters.latency("app"));
        assertThat(unbound.routes().get(0).meters()).isNull();
        assertThat(meters.route(unbound.routes().get(0))).isSameAs(meters.route(bound.routes().get(0)));
        meters.upstreamLatency(unbound.cluster("app"), 5_000);
        meters.upstreamLatency(bound.cluster("app"), 7_000);
        assertThat(meters.latency("app").cumulativeMicros().getTotalCount()).isEqualTo(2);
    }

    @Test
    void recordingAllocatesNothing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        TrafficMeters meters = new TrafficMeters();
        meters.prepare(List.of("api"), List.of("app"));
        RoutingTable table = RoutingTable.build(TestConfigs.parse("""
                clusters:
                  - name: app
                    endpoints:
                      - {id: a, address: "127.0.0.1:1", region: local}
                routes:
                  - {name: api, cluster: app}
                """), null);
        meters.bind(table);
        EndpointState a = table.endpoint("a");
        Route api = table.routes().get(0);
        Cluster app = table.cluster("app");
        TrafficMeters.EndpointMeters connections = meters.endpoint("a");
        long tid = Thread.currentThread().getId();
        for (int round = 0; round < 3; round++) {   // the first rounds warm up the JIT
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 100_000; i++) {
                TrafficMeters.responded(meters.route(api), 200 + (i % 4) * 100);
                meters.upstreamLatency(app, 1_000L * i);
                meters.retried(a);
                meters.connectFailed(a);
                meters.rejected("app", LIMITS[i & 3]);
                connections.connectionOpened();
                connections.connectionClosed();
                meters.shed(i % 7, (i & 1) == 0);
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            if (round == 2) {
                // LongAdder may grow its cells once under contention; one thread never contends.
                assertThat(allocated).isLessThan(1_024);
            }
        }
        assertThat(meters.latency("app").cumulativeMicros().getTotalCount()).isEqualTo(300_000);
        assertThat(meters.route("api")[0].sum() + meters.route("api")[1].sum()).isEqualTo(150_000);
        assertThat(meters.retries("a")).isEqualTo(300_000);
        assertThat(meters.connectFailures("a")).isEqualTo(300_000);
        assertThat(meters.rejections("app", TrafficMeters.BreakerLimit.MAX_PENDING)).isEqualTo(75_000);
        assertThat(connections.connectionsOpened()).isEqualTo(300_000);
        assertThat(connections.connectionsOpen()).isZero();
    }
}
