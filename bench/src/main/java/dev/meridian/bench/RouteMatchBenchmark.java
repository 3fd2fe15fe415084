package dev.meridian.bench;

import dev.meridian.routing.HeaderLookup;
import dev.meridian.routing.Route;
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
 * Matching a rotating set of precomputed requests against tables of a given size. The mix: exact hosts in any case,
 * some with a port; wildcard tenants; canary headers; query strings; unknown hosts that fall through to the
 * catch-alls. Rotation keeps the branch predictor from learning a single request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// Five warmups: with 1,000 routes C2 settles the inlined match only after about four seconds on a busy 2-core box.
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class RouteMatchBenchmark {
    private static final int REQUESTS = 1024;
    private static final HeaderLookup CANARY = name -> name.equalsIgnoreCase("x-canary") ? "1" : null;

    @Param({"10", "100", "1000"})
    int routes;

    private RoutingTable table;
    private final String[] hosts = new String[REQUESTS];
    private final String[] uris = new String[REQUESTS];
    private final HeaderLookup[] headers = new HeaderLookup[REQUESTS];
    private int next;

    @Setup
    public void setUp() {
        table = RoutingTable.build(BenchConfigs.routes(routes), null);
        int hostGroups = Math.max(1, routes / (BenchConfigs.PATHS.length + 1));
        SplittableRandom random = new SplittableRandom(11);
        int matched = 0;
        for (int i = 0; i < REQUESTS; i++) {
            hosts[i] = requestHost(random, hostGroups);
            uris[i] = requestUri(random);
            headers[i] = random.nextInt(10) == 0 ? CANARY : HeaderLookup.NONE;
            matched += table.match(hosts[i], uris[i], headers[i]) != null ? 1 : 0;
        }
        if (matched < REQUESTS / 2) {
            throw new IllegalStateException("only " + matched + " of " + REQUESTS + " requests match: fix the mix");
        }
    }

    private static String requestHost(SplittableRandom random, int hostGroups) {
        int roll = random.nextInt(20);
        if (roll == 0) {
            return "unknown" + random.nextInt(100) + ".example.org";
        }
        int h = random.nextInt(hostGroups);
        String host = BenchConfigs.host(h);
        if (host.startsWith("*.")) {
            host = "user" + random.nextInt(1000) + host.substring(1);
        }
        if (roll == 1) {
            host = host.toUpperCase(Locale.ROOT);
        }
        return roll < 5 ? host + ":443" : host;
    }

    private static String requestUri(SplittableRandom random) {
        int roll = random.nextInt(10);
        if (roll == 0) {
            return "/healthz";
        }
        String prefix = BenchConfigs.PATHS[random.nextInt(BenchConfigs.PATHS.length)];
        String uri = prefix + (prefix.endsWith("/") ? "" : "/") + random.nextInt(100_000);
        return roll < 4 ? uri + "?page=" + random.nextInt(10) + "&sort=asc" : uri;
    }

    @Benchmark
    public Route match() {
        int i = next;
        next = (i + 1) & (REQUESTS - 1);
        return table.match(hosts[i], uris[i], headers[i]);
    }
}
