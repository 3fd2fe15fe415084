package dev.meridian.routing;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.routing.balance.ErrorRate;
import dev.meridian.routing.balance.PeakEwma;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.LongAdder;

/**
 * One endpoint's identity and live figures. One instance per endpoint id, carried across reloads; figures are
 * atomics written by the data plane (and later the health subsystem) and read by pickers without locks.
 */
public final class EndpointState {
    private static final AtomicIntegerFieldUpdater<EndpointState> IN_FLIGHT =
            AtomicIntegerFieldUpdater.newUpdater(EndpointState.class, "inFlight");

    private final String id;
    /** Swapped by a reload that keeps this endpoint; see {@link #rebind}. */
    private volatile EndpointBinding binding;
    private volatile int inFlight;
    private volatile long recentP99Nanos;
    private volatile long recentP50Nanos;
    /** Written on every request by every event loop, read rarely: striped to keep the loops off one cache line. */
    private final LongAdder requestsTotal = new LongAdder();
    private final EndpointHealth health = new EndpointHealth();
    private final PeakEwma latency = new PeakEwma();
    /** The total of the cluster this endpoint is in; swapped, with this endpoint's share, when it changes cluster. */
    private volatile ClusterLoad clusterLoad;
    private final ErrorRate errorRate = new ErrorRate();
    /**
     * Requests in flight to this endpoint's region, shared by the region's endpoints when a {@code geo} cluster
     * spills on load, so the pick reads one counter instead of summing endpoints; null when nobody reads it.
     */
    private volatile AtomicInteger regionInFlight;

    EndpointState(EndpointBinding binding, ClusterLoad clusterLoad) {
        this.id = binding.config().id();
        this.binding = binding;
        this.clusterLoad = clusterLoad;
    }

    public String id() {
        return id;
    }

    /** The endpoint's config as of the newest table that contains it. */
    public EndpointConfig config() {
        return binding.config();
    }

    /** The resolved address to connect to. */
    public InetSocketAddress address() {
        return binding.address();
    }

    /**
     * The endpoint's p99 response-header latency over its last full window, written by the health subsystem and
     * read by the data plane to size hedge delays; 0 until a window had enough samples.
     */
    public long recentP99Nanos() {
        return recentP99Nanos;
    }

    public void recentP99Nanos(long nanos) {
        recentP99Nanos = nanos;
    }

    /** The median of the same window as {@link #recentP99Nanos()}, for the admin port; 0 until known. */
    public long recentP50Nanos() {
        return recentP50Nanos;
    }

    public void recentP50Nanos(long nanos) {
        recentP50Nanos = nanos;
    }

    public int inFlight() {
        return inFlight;
    }

    /** A request was sent to this endpoint. */
    public void requestStarted() {
        IN_FLIGHT.incrementAndGet(this);
        clusterLoad.add(1);
        requestsTotal.increment();
        AtomicInteger region = regionInFlight;
        if (region != null) {
            region.incrementAndGet();
        }
    }

    /** A request sent to this endpoint ended, whatever the outcome. */
    public void requestEnded() {
        IN_FLIGHT.decrementAndGet(this);
        clusterLoad.add(-1);
        AtomicInteger region = regionInFlight;
        if (region != null) {
            region.decrementAndGet();
        }
    }

    /**
     * Counts this endpoint's requests in {@code region} from now on (null: nowhere), handing over the ones in flight.
     * A request that starts or ends during the hand-over may be counted one off; readers clamp at 0.
     */
    void countRegionInFlight(AtomicInteger region) {
        AtomicInteger old = regionInFlight;
        if (old == region) {
            return;
        }
        regionInFlight = region;
        int n = Math.max(0, inFlight);
        if (region != null) {
            region.addAndGet(n);
        }
        if (old != null) {
            old.addAndGet(-n);
        }
    }

    /** Requests in flight to this endpoint's cluster in all. */
    public ClusterLoad clusterLoad() {
        return clusterLoad;
    }

    /** Requests ever sent here (started). */
    public long requestsTotal() {
        return requestsTotal.sum();
    }

    /** Response time estimate for the {@code latency} policy; kept across reloads with the rest of the state. */
    public PeakEwma latency() {
        return latency;
    }

    /** Recent failures per outcome for the {@code score} policy; the proxy records every try's outcome here. */
    public ErrorRate errorRate() {
        return errorRate;
    }

    /** The inputs to this endpoint's status; the health control thread writes them, anyone reads. */
    public EndpointHealth health() {
        return health;
    }

    /** The one status combining admin state, ejection, active checks and latency. */
    public EndpointStatus status() {
        return health.status();
    }

    /**
     * This endpoint's configured weight as pickers see it now: reduced when DEGRADED and during slow start, 0 when it
     * takes no traffic.
     */
    public int effectiveWeight(long nowNanos, ClusterConfig cluster) {
        return health.effectiveWeight(config().weight(), nowNanos, cluster);
    }

    /**
     * Takes the config and address of a newer table, and the load total of the cluster it is in there; live figures
     * stay. Moving to another cluster carries this endpoint's requests in flight over; one that starts or ends
     * during the move may leave both totals off by one, which shifts a bounded-load bound by a fraction of a request.
     */
    void rebind(EndpointBinding next, ClusterLoad load) {
        if (!next.config().id().equals(id)) {
            throw new IllegalArgumentException("endpoint id: " + next.config().id() + " (expected: " + id + ")");
        }
        binding = next;
        ClusterLoad previous = clusterLoad;
        if (previous != load) {
            clusterLoad = load;
            int moving = Math.max(0, inFlight);
            previous.add(-moving);
            load.add(moving);
        }
    }

    @Override
    public String toString() {
        return "EndpointState[" + id + " " + binding.config().authority() + ", inFlight=" + inFlight + ", " + status() + "]";
    }
}
