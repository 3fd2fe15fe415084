package dev.meridian.bench;

import dev.meridian.config.Policy;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RoutingTable;
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
 * One pick per policy on a cluster of mixed weights, as an event loop does per request. The endpoints carry
 * different in-flight counts and latency estimates, so the two-choice policies compare real figures, and the clock
 * is the production one ({@code System.nanoTime}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class PolicyPickBenchmark {
    @Param({"weighted", "random", "least_request", "latency"})
    String policy;

    @Param({"10", "100", "1000"})
    int endpoints;

    private Cluster cluster;
    private PickContext ctx;

    @Setup
    public void setUp() {
        Policy p = Policy.valueOf(policy.toUpperCase(Locale.ROOT));
        RoutingTable table = RoutingTable.build(BenchConfigs.cluster(endpoints, "mixed", p), null);
        cluster = table.cluster("c");
        SplittableRandom random = new SplittableRandom(3);
        long now = System.nanoTime();
        for (EndpointState e : cluster.endpoints()) {
            for (int i = random.nextInt(4); i > 0; i--) {
                e.requestStarted();
            }
            e.latency().observe(1_000_000L + random.nextInt(50_000_000), now);
        }
        ctx = new PickContext(new SplittableRandom(1));
    }

    @Benchmark
    public EndpointState pick() {
        return cluster.pick(ctx);
    }
}
