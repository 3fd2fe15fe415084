package dev.meridian.bench;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.HashConfig;
import dev.meridian.config.HashKeyKind;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.Policy;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.balance.EligibleSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Consistent hashing: one {@code ring_hash} or {@code maglev} pick per request on a cluster of mixed weights (1..1000)
 * with the default table sizes (1 Ki ring points, a 65,537-entry Maglev table), and the cost of building the tables
 * when the eligible set is republished (off the hot path).
 *
 * <p>Each pick gets a new key hash, a Weyl sequence step (one add), so successive picks land on unrelated positions
 * as distinct clients do. With {@code boundedLoad} at 1.25 the endpoints carry 0..3 requests in flight, so some keys
 * find their endpoint over the bound and walk on: the cost includes the cluster total's read and those walks.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class HashPickBenchmark {
    /** The golden-ratio increment: consecutive hashes spread evenly over 64 bits. */
    private static final long WEYL = 0x9E3779B97F4A7C15L;

    @State(Scope.Thread)
    public static class Picking {
        @Param({"ring_hash", "maglev"})
        String policy;

        @Param({"10", "100", "1000"})
        int endpoints;

        @Param({"0", "1.25"})
        double boundedLoad;

        Cluster cluster;
        PickContext ctx;
        long hash;

        @Setup
        public void setUp() {
            cluster = RoutingTable.build(config(policy, endpoints, boundedLoad), null).cluster("c");
            SplittableRandom random = new SplittableRandom(3);
            for (EndpointState e : cluster.endpoints()) {
                for (int i = random.nextInt(4); i > 0; i--) {
                    e.requestStarted();
                }
            }
            ctx = new PickContext(new SplittableRandom(1));
        }
    }

    @State(Scope.Thread)
    public static class Building {
        @Param({"ring_hash", "maglev"})
        String policy;

        @Param({"10", "100", "1000"})
        int endpoints;

        Cluster cluster;

        @Setup
        public void setUp() {
            cluster = RoutingTable.build(config(policy, endpoints, 0), null).cluster("c");
        }
    }

    @Benchmark
    public EndpointState pick(Picking s) {
        return s.cluster.pick(s.ctx.beginRequest().hash(s.hash += WEYL));
    }

    /**
     * What a republish of the cluster costs, as health changes trigger it: {@code EligibleSet.of} with everything it
     * builds, which today is each level's smooth weighted table (whatever the policy; with mixed weights at 100
     * endpoints that is most of the time) and the level's picker twice (once more in {@code Level.withLoad}).
     */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public EligibleSet build(Building s) {
        return EligibleSet.of(s.cluster.endpoints(), s.cluster.config(), 0);
    }

    private static MeridianConfig config(String policy, int endpoints, double boundedLoad) {
        MeridianConfig base = BenchConfigs.cluster(endpoints, "mixed", Policy.valueOf(policy.toUpperCase(Locale.ROOT)));
        ClusterConfig c = base.clusters().get(0);
        ClusterConfig hashed = new ClusterConfig(c.name(), c.policy(), c.pool(), c.endpoints(), c.healthCheck(),
                c.outlier(), c.slowStart(), c.priority(), c.statusThresholds(), c.retryBudget(),
                new HashConfig(HashKeyKind.HEADER, "x-user", boundedLoad, 0), c.geo());
        return new MeridianConfig(base.source(), base.listeners(), base.admin(), base.server(), base.regions(),
                List.of(hashed), base.routes(), base.geo());
    }
}
