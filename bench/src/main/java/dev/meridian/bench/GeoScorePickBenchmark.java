package dev.meridian.bench;

import dev.meridian.config.AdminConfig;
import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.GeoPolicyConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.PoolConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.config.RouteConfig;
import dev.meridian.config.RouteMatch;
import dev.meridian.config.ScoreWeights;
import dev.meridian.config.ServerConfig;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.geo.ClientLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * One {@code geo} or {@code score} pick, as an event loop does per request, for clients from a handful of places
 * (shared {@link ClientLocation} instances, as the config's location tables hand out), taken in turn.
 *
 * <ul>
 *   <li>{@code geo}: nearest region by dot product, with a load limit (each region's in-flight counter is read),
 *       then weighted round-robin inside the region.</li>
 *   <li>{@code geo_biased}: the same with a bias on every other region, so the nearest comes from the region order
 *       cached per client location.</li>
 *   <li>{@code score}: power of two choices on latency, in-flight, error rate, distance and cost; a tenth of the
 *       endpoints have recent failures, so their error rate costs an {@code exp}.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class GeoScorePickBenchmark {
    private static final int CLIENTS = 16;

    @Param({"geo", "geo_biased", "score"})
    String policy;

    @Param({"3", "10"})
    int regions;

    @Param({"10", "100", "1000"})
    int endpoints;

    private Cluster cluster;
    private PickContext ctx;
    private ClientLocation[] clients;
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(5);
        RoutingTable table = RoutingTable.build(config(random), null);
        cluster = table.cluster("c");
        long now = System.nanoTime();
        for (EndpointState e : cluster.endpoints()) {
            for (int i = random.nextInt(4); i > 0; i--) {
                e.requestStarted();
            }
            e.latency().observe(1_000_000L + random.nextInt(50_000_000), now);
            boolean failing = random.nextInt(10) == 0;
            for (int i = 0; i < 20; i++) {
                e.errorRate().record(failing && i % 3 == 0, now);
            }
        }
        clients = new ClientLocation[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            clients[i] = new ClientLocation("XX", "XX", random.nextDouble(-60, 70), random.nextDouble(-180, 180));
        }
        ctx = new PickContext(new SplittableRandom(1)).scoreWeights(ScoreWeights.DEFAULT);
    }

    private MeridianConfig config(SplittableRandom random) {
        List<RegionConfig> declared = new ArrayList<>();
        Map<String, Integer> bias = new HashMap<>();
        for (int r = 0; r < regions; r++) {
            RegionConfig region = new RegionConfig("r" + r, "J" + r, random.nextDouble(-60, 70),
                    random.nextDouble(-180, 180));
            declared.add(region);
            if (policy.equals("geo_biased") && r % 2 == 1) {
                bias.put(region.name(), 30);
            }
        }
        List<EndpointConfig> list = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            list.add(new EndpointConfig("e" + i, "10.0." + (i / 250) + "." + (i % 250 + 1), 8080,
                    declared.get(i % regions).name(), null, 1 + random.nextInt(1000), 0, 100, null,
                    random.nextInt(10)));
        }
        ClusterConfig cluster = policy.equals("score")
                ? new ClusterConfig("c", Policy.SCORE, PoolConfig.DEFAULT, list)
                : new ClusterConfig("c", Policy.GEO, PoolConfig.DEFAULT, list, null, null, null, null, null, null,
                        null, new GeoPolicyConfig(Policy.WEIGHTED, 80, bias));
        return new MeridianConfig("<bench>", List.of(), AdminConfig.DEFAULT, ServerConfig.DEFAULT, declared,
                List.of(cluster), List.of(new RouteConfig("all", RouteMatch.ANY, "c", List.of(), null)));
    }

    @Benchmark
    public EndpointState pick() {
        // As the proxy does per request: its attributes onto the loop's context, then the pick.
        ctx.beginRequest().location(clients[next++ & (CLIENTS - 1)]).scoreWeights(ScoreWeights.DEFAULT);
        return cluster.pick(ctx);
    }
}
