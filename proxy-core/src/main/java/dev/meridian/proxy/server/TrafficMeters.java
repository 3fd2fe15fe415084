package dev.meridian.proxy.server;

import dev.meridian.config.RouteConfig;
import dev.meridian.routing.EndpointState;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The labelled counters the data plane writes: downstream responses per route and status class, upstream latency,
 * retries per cluster, connect failures per endpoint, shed requests per tier. Every key is a name from the config
 * (route, cluster, endpoint id), never anything a client sent, so the number of series is bounded by the configs
 * ever loaded.
 *
 * <p>Writers look their counters up in concurrent maps: a read there takes no lock and allocates nothing; a key is
 * added once, the first time it is seen ({@link #prepare} adds the config's keys ahead). LongAdders and HdrHistogram
 * {@link Recorder}s keep the event loops off each other's cache lines and never block; the admin port reads them.
 */
public final class TrafficMeters {
    /** The label of responses given before any route matched: bad requests, no route. */
    public static final String NO_ROUTE = "_none";
    /** Interim (1xx) responses are not counted: only the final status of each exchange is. */
    public static final String[] STATUS_CLASSES = {"2xx", "3xx", "4xx", "5xx"};
    /** Tiers 0 to {@link RouteConfig}'s lowest; a tier beyond is counted as the lowest. */
    public static final int TIERS = 5;
    /** 1 µs to 1 hour, 3 significant digits: a fixed range, so recording never resizes (never allocates). */
    private static final long LATENCY_MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    private final Map<String, LongAdder[]> downstream = new ConcurrentHashMap<>();
    /** Racy but idempotent cache: every thread that fills it stores the same array from {@link #downstream}. */
    private volatile LongAdder[] noRoute;
    private final Map<String, Latency> latency = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> retries = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> connectFailures = new ConcurrentHashMap<>();
    private final LongAdder[] shedByContinuity = adders(TIERS);
    private final LongAdder[] shedByLoad = adders(TIERS);

    /**
     * Per cluster: the latency distribution and its exact sum (HdrHistogram keeps only bucketed values). A recorder
     * is wait-free but its writers share a phase counter, so each cluster has a few, picked by thread: the event
     * loops (consecutive thread ids) then mostly write to cache lines of their own.
     */
    public static final class Latency {
        private static final int STRIPES = Integer.highestOneBit(
                Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1));

        private final Recorder[] recorders = new Recorder[STRIPES];
        private final LongAdder sumNanos = new LongAdder();
        /** Owned by the reader: what the recorders handed over so far. */
        private final Histogram total = new Histogram(1, LATENCY_MAX_MICROS, 3);
        /** Per recorder, the histogram it handed over last, given back for reuse (it takes only its own). */
        private final Histogram[] intervals = new Histogram[STRIPES];

        Latency() {
            for (int i = 0; i < STRIPES; i++) {
                recorders[i] = new Recorder(1, LATENCY_MAX_MICROS, 3);
            }
        }

        void record(long nanos) {
            long micros = Math.max(1, Math.min(LATENCY_MAX_MICROS, nanos / 1_000));
            recorders[(int) Thread.currentThread().getId() & (STRIPES - 1)].recordValue(micros);
            sumNanos.add(nanos);
        }

        /** Everything recorded until now, in microseconds. One reader at a time (the admin loop). */
        public synchronized Histogram cumulativeMicros() {
            for (int i = 0; i < STRIPES; i++) {
                intervals[i] = recorders[i].getIntervalHistogram(intervals[i]);
                total.add(intervals[i]);
            }
            return total;
        }

        public double sumSeconds() {
            return sumNanos.sum() / 1e9;
        }
    }

    /** Adds the counters of these names ahead of traffic, so the series exist (at 0) before the first request. */
    public void prepare(Iterable<String> routes, Iterable<String> clusters) {
        routes.forEach(this::route);
        for (String c : clusters) {
            latency(c);
            retries.computeIfAbsent(c, k -> new LongAdder());
        }
    }

    /** The response counters of requests that matched no route: looked up once, as every request starts there. */
    LongAdder[] noRoute() {
        LongAdder[] a = noRoute;
        if (a == null) {
            a = route(NO_ROUTE);
            noRoute = a;
        }
        return a;
    }

    /** The response counters of this route (or of {@link #NO_ROUTE}), indexed by status class. */
    LongAdder[] route(String name) {
        LongAdder[] a = downstream.get(name);
        return a != null ? a : downstream.computeIfAbsent(name, k -> adders(STATUS_CLASSES.length));
    }

    static void responded(LongAdder[] route, int code) {
        route[Math.max(0, Math.min(STATUS_CLASSES.length - 1, code / 100 - 2))].increment();
    }

    void upstreamLatency(String cluster, long nanos) {
        latency(cluster).record(nanos);
    }

    void retried(String cluster) {
        adder(retries, cluster).increment();
    }

    void connectFailed(EndpointState endpoint) {
        adder(connectFailures, endpoint.id()).increment();
    }

    void shed(int tier, boolean byContinuity) {
        (byContinuity ? shedByContinuity : shedByLoad)[Math.max(0, Math.min(TIERS - 1, tier))].increment();
    }

    // ---- readers (the admin port) ----------------------------------------------------------------------------

    public Map<String, LongAdder[]> downstream() {
        return downstream;
    }

    public Map<String, Latency> latencyByCluster() {
        return latency;
    }

    public Latency latency(String cluster) {
        Latency l = latency.get(cluster);
        return l != null ? l : latency.computeIfAbsent(cluster, k -> new Latency());
    }

    public long retries(String cluster) {
        LongAdder a = retries.get(cluster);
        return a == null ? 0 : a.sum();
    }

    public long connectFailures(String endpointId) {
        LongAdder a = connectFailures.get(endpointId);
        return a == null ? 0 : a.sum();
    }

    public long shedCount(int tier, boolean byContinuity) {
        return (byContinuity ? shedByContinuity : shedByLoad)[tier].sum();
    }

    private static LongAdder adder(Map<String, LongAdder> map, String key) {
        LongAdder a = map.get(key);
        return a != null ? a : map.computeIfAbsent(key, k -> new LongAdder());
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }
}
