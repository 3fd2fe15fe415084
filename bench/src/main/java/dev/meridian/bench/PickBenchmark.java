package dev.meridian.bench;

import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RoutingTable;
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
 * One weighted pick on a cluster, as an event loop does per request: a volatile read of the eligible set, a ticket
 * from the loop's cursor and an array load.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class PickBenchmark {
    @Param({"10", "100", "1000"})
    int endpoints;

    @Param({"uniform", "mixed"})
    String weights;

    private Cluster cluster;
    private PickContext ctx;

    @Setup
    public void setUp() {
        RoutingTable table = RoutingTable.build(BenchConfigs.cluster(endpoints, weights), null);
        cluster = table.cluster("c");
        ctx = new PickContext(new SplittableRandom(1));
    }

    @Benchmark
    public EndpointState pick() {
        return cluster.pick(ctx);
    }
}
