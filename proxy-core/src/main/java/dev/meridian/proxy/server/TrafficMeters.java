package dev.meridian.proxy.server;

import dev.meridian.config.RouteConfig;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.Route;
import dev.meridian.routing.RoutingTable;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;
import org.HdrHistogram.Recorder;

/**
 * The labelled counters the data plane writes: downstream responses per route and status class, upstream latency
 * and circuit-breaker rejections per cluster, retries, connect failures and connections per endpoint, shed requests
 * per tier. Every key is a name from the config (route, cluster, endpoint id), never anything a client sent, so the
 * number of series is bounded by the configs ever loaded.
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
    /**
     * The recent latency window: six slices of ten seconds, the oldest dropped whole, so the quantiles cover the
     * current slice and the five before it (50 to 60 s).
     */
    public static final Duration RECENT_SLICE = Duration.ofSeconds(10);
    public static final int RECENT_SLICES = 6;
    /** 1 µs to 1 hour, 3 significant digits: a fixed range, so recording never resizes (never allocates). */
    private static final long LATENCY_MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    /** The limits of a cluster's circuit breaker, as they are labelled. */
    public enum BreakerLimit {
        MAX_CONNECTIONS, MAX_PENDING, MAX_REQUESTS, MAX_RETRIES;

        private final String label = name().toLowerCase(Locale.ROOT);

        public String label() {
            return label;
        }
    }

    private final Map<String, LongAdder[]> downstream = new ConcurrentHashMap<>();
    /** Racy but idempotent cache: every thread that fills it stores the same array from {@link #downstream}. */
    private volatile LongAdder[] noRoute;
    private final Map<String, Latency> latency = new ConcurrentHashMap<>();
    private final Map<String, LongAdder[]> rejections = new ConcurrentHashMap<>();
    private final Map<String, EndpointMeters> endpoints = new ConcurrentHashMap<>();
    private final LongAdder[] shedByContinuity = adders(TIERS);
    private final LongAdder[] shedByLoad = adders(TIERS);
    private final LongSupplier nanoClock;
    private final Duration recentSlice;
    private final int recentSlices;

    public TrafficMeters() {
        this(System::nanoTime, RECENT_SLICE, RECENT_SLICES);
    }

    /** With the clock that rotates the recent latency window, and its shape; tests shrink or fake them. */
    public TrafficMeters(LongSupplier nanoClock, Duration recentSlice, int recentSlices) {
        if (recentSlice.isNegative() || recentSlice.isZero() || recentSlices < 1) {
            throw new IllegalArgumentException("recent latency window: " + recentSlices + " x " + recentSlice
                    + " (expected: at least one slice longer than 0)");
        }
        this.nanoClock = nanoClock;
        this.recentSlice = recentSlice;
        this.recentSlices = recentSlices;
    }

    /** What one endpoint saw, keyed by id so it outlives reloads that keep (or bring back) the endpoint. */
    public static final class EndpointMeters {
        private final LongAdder retries = new LongAdder();
        private final LongAdder connectFailures = new LongAdder();
        private final LongAdder connectionsOpened = new LongAdder();
        private final LongAdder connectionsClosed = new LongAdder();

        /** A connection to the endpoint is established (not merely attempted: failures are counted apart). */
        public void connectionOpened() {
            connectionsOpened.increment();
        }

        /** An established connection to the endpoint is gone. */
        public void connectionClosed() {
            connectionsClosed.increment();
        }

        public long retries() {
            return retries.sum();
        }

        public long connectFailures() {
            return connectFailures.sum();
        }

        public long connectionsOpened() {
            return connectionsOpened.sum();
        }

        public long connectionsClosed() {
            return connectionsClosed.sum();
        }

        /** Closed is read first: both only grow, so the difference cannot go below what was open at that moment. */
        public long connectionsOpen() {
            long closed = connectionsClosed.sum();
            return Math.max(0, connectionsOpened.sum() - closed);
        }
    }

    /**
     * Per cluster: the latency distribution and its exact sum (HdrHistogram keeps only bucketed values). A recorder
     * is wait-free but its writers share a phase counter, so each cluster has a few, picked by thread: the event
     * loops (consecutive thread ids) then mostly write to cache lines of their own.
     *
     * <p>The reader keeps two views of what it takes from the recorders: everything (Prometheus histograms are
     * cumulative) and the recent window, a ring of time slices. What a read takes lands in the slice of the read's
     * time, and slices older than the window are dropped whole: the window is rotated by reading, no timer needed.
     * When reads are further apart than the window, the window reaches back to the previous read.
     */
    public static final class Latency {
        private static final int STRIPES = Integer.highestOneBit(
                Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1));

        private final Recorder[] recorders = new Recorder[STRIPES];
        private final LongAdder sumNanos = new LongAdder();
        private final LongSupplier nanoClock;
        private final long sliceNanos;
        /** Owned by the reader: what the recorders handed over so far. */
        private final Histogram total = new Histogram(1, LATENCY_MAX_MICROS, 3);
        /** Per recorder, the histogram it handed over last, given back for reuse (it takes only its own). */
        private final Histogram[] intervals = new Histogram[STRIPES];
        /**
         * The recent slices and the number of the slice each holds; int counts (a slice of ten seconds stays far
         * below 2^31 values) and made on first use: at 3 digits over an hour each is ~95 KB.
         */
        private final IntCountsHistogram[] slices;
        private final long[] sliceNumbers;
        private IntCountsHistogram recent;

        Latency(LongSupplier nanoClock, long sliceNanos, int slices) {
            this.nanoClock = nanoClock;
            this.sliceNanos = sliceNanos;
            this.slices = new IntCountsHistogram[slices];
            this.sliceNumbers = new long[slices];
            for (int i = 0; i < STRIPES; i++) {
                recorders[i] = new Recorder(1, LATENCY_MAX_MICROS, 3);
            }
        }

        /** One try's latency: wait-free, allocation-free, from any thread. */
        public void record(long nanos) {
            long micros = Math.max(1, Math.min(LATENCY_MAX_MICROS, nanos / 1_000));
            recorders[(int) Thread.currentThread().getId() & (STRIPES - 1)].recordValue(micros);
            sumNanos.add(nanos);
        }

        /** Everything recorded until now, in microseconds. One reader at a time (the admin loop). */
        public synchronized Histogram cumulativeMicros() {
            drain();
            return total;
        }

        /**
         * What was recorded in the recent window ({@link TrafficMeters#recentWindow()}), in microseconds; the same
         * histogram is reused by the next call. One reader at a time (the admin loop).
         */
        public synchronized AbstractHistogram recentMicros() {
            long now = drain();
            if (recent == null) {
                recent = new IntCountsHistogram(1, LATENCY_MAX_MICROS, 3);
            }
            recent.reset();
            for (int i = 0; i < slices.length; i++) {
                if (slices[i] != null && now - sliceNumbers[i] < slices.length) {
                    recent.add(slices[i]);
                }
            }
            return recent;
        }

        public double sumSeconds() {
            return sumNanos.sum() / 1e9;
        }

        /** Moves what the recorders hold into the total and the current slice; returns the current slice's number. */
        private long drain() {
            long now = Math.floorDiv(nanoClock.getAsLong(), sliceNanos);
            int at = (int) Math.floorMod(now, slices.length);
            IntCountsHistogram slice = slices[at];
            if (slice != null && sliceNumbers[at] != now) {
                slice.reset();
            }
            sliceNumbers[at] = now;
            for (int i = 0; i < STRIPES; i++) {
                intervals[i] = recorders[i].getIntervalHistogram(intervals[i]);
                if (intervals[i].getTotalCount() == 0) {
                    continue;
                }
                total.add(intervals[i]);
                if (slice == null) {
                    slice = new IntCountsHistogram(1, LATENCY_MAX_MICROS, 3);
                    slices[at] = slice;
                }
                slice.add(intervals[i]);
            }
            return now;
        }
    }

    /** Adds the counters of these names ahead of traffic, so the series exist (at 0) before the first request. */
    public void prepare(Iterable<String> routes, Iterable<String> clusters) {
        routes.forEach(this::route);
        for (String c : clusters) {
            latency(c);
            rejections(c);
        }
    }

    /**
     * Binds each route's and cluster's counters to it, so the requests served from this table reach them without
     * a lookup by name. Call before the table is published.
     */
    public void bind(RoutingTable table) {
        for (Route r : table.routes()) {
            r.bindMeters(route(r.name()));
        }
        for (Cluster c : table.clusters()) {
            c.bindMeters(latency(c.name()));
        }
    }

    /** The response counters of this route: bound to it when its table was built, looked up if it was not. */
    LongAdder[] route(Route r) {
        return r.meters() instanceof LongAdder[] bound ? bound : route(r.name());
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

    void upstreamLatency(Cluster cluster, long nanos) {
        (cluster.meters() instanceof Latency bound ? bound : latency(cluster.name())).record(nanos);
    }

    /** A retry or a hedge is sent to this endpoint. */
    void retried(EndpointState target) {
        endpoint(target.id()).retries.increment();
    }

    void connectFailed(EndpointState endpoint) {
        endpoint(endpoint.id()).connectFailures.increment();
    }

    /** The cluster's circuit breaker refused a request, a connection, a retry or a hedge. */
    void rejected(String cluster, BreakerLimit limit) {
        rejections(cluster)[limit.ordinal()].increment();
    }

    void shed(int tier, boolean byContinuity) {
        (byContinuity ? shedByContinuity : shedByLoad)[Math.max(0, Math.min(TIERS - 1, tier))].increment();
    }

    /** The meters of the endpoint with this id; the upstream pool holds on to them per connection. */
    public EndpointMeters endpoint(String id) {
        EndpointMeters m = endpoints.get(id);
        return m != null ? m : endpoints.computeIfAbsent(id, k -> new EndpointMeters());
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
        return l != null ? l : latency.computeIfAbsent(cluster,
                k -> new Latency(nanoClock, recentSlice.toNanos(), recentSlices));
    }

    /** How far back the recent latency quantiles reach. */
    public Duration recentWindow() {
        return recentSlice.multipliedBy(recentSlices);
    }

    public long rejections(String cluster, BreakerLimit limit) {
        LongAdder[] a = rejections.get(cluster);
        return a == null ? 0 : a[limit.ordinal()].sum();
    }

    public long retries(String endpointId) {
        EndpointMeters m = endpoints.get(endpointId);
        return m == null ? 0 : m.retries();
    }

    public long connectFailures(String endpointId) {
        EndpointMeters m = endpoints.get(endpointId);
        return m == null ? 0 : m.connectFailures();
    }

    public long shedCount(int tier, boolean byContinuity) {
        return (byContinuity ? shedByContinuity : shedByLoad)[tier].sum();
    }

    private LongAdder[] rejections(String cluster) {
        LongAdder[] a = rejections.get(cluster);
        return a != null ? a : rejections.computeIfAbsent(cluster, k -> adders(BreakerLimit.values().length));
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }
}
