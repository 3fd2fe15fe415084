package dev.meridian.routing;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.routing.balance.ClusterSlot;
import dev.meridian.routing.balance.EligibleSet;
import dev.meridian.routing.balance.Regions;
import dev.meridian.routing.residency.JurisdictionSet;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster of endpoints with its balancing policy, as of one routing table.
 *
 * <p>Residency rules are a hard filter, applied before everything else: for each set of jurisdictions the table's
 * rules allow, the cluster keeps a separate eligible set built from only the endpoints in those jurisdictions, with
 * its own priority levels, spill-over, panic mode and cursors. A restricted request picks and retries in that set
 * alone, so no policy, fallback or panic can reach a non-compliant endpoint, and a pick costs no filtering.
 */
public final class Cluster {
    private Object meters;
    private final ClusterConfig config;
    private final List<EndpointState> endpoints;
    private final List<String> jurisdictions;
    private final List<RegionConfig> declaredRegions;
    private final Regions regions;
    private final ClusterSlot eligibility;
    private final int cursor;
    private final RetryBudget retryBudget;
    private final CircuitBreaker breaker;
    /** Indexed by {@link JurisdictionSet#id()}: 0 is {@link #eligibility}, the unrestricted set. */
    private final Variant[] variants;
    private final int cursorSlots;

    /** A retry first tries this many ordinary picks, which keep the balance, before it scans for any endpoint. */
    private static final int RETRY_PICKS = 4;

    Cluster(ClusterConfig config, List<EndpointState> endpoints, List<RegionConfig> regions, int cursor,
            long nowNanos) {
        this(config, endpoints, regions, null, List.of(), cursor, nowNanos, null);
    }

    /**
     * @param regions       the config's regions: where the geo and score policies find their coordinates
     * @param jurisdictions each endpoint's jurisdiction (its own, else its region's), index for index; null when the
     *                      table has no residency rules
     * @param restrictions  the table's allowed sets, in id order (ids 1..n)
     * @param cursor        the first of the per-loop cursor slots this cluster owns; see {@link #cursorSlots()}
     * @param previous      the cluster of this name in the table being replaced, whose breaker counts carry on;
     *                      null: none
     */
    Cluster(ClusterConfig config, List<EndpointState> endpoints, List<RegionConfig> regions,
            List<String> jurisdictions, List<JurisdictionSet> restrictions, int cursor, long nowNanos,
            Cluster previous) {
        this.config = config;
        this.endpoints = List.copyOf(endpoints);
        this.jurisdictions = jurisdictions == null ? null : new ArrayList<>(jurisdictions);
        this.declaredRegions = List.copyOf(regions);
        this.regions = Regions.of(config, regions);
        this.eligibility = new ClusterSlot(EligibleSet.of(this.endpoints, config, this.regions, nowNanos));
        this.cursor = cursor;
        this.retryBudget = new RetryBudget(config.retryBudget().percent(), config.retryBudget().minConcurrent(),
                config.circuitBreaker().maxRetries());
        this.breaker = new CircuitBreaker(config, previous == null ? null : previous.breaker);
        this.variants = new Variant[restrictions.size() + 1];
        int slots = EligibleSet.cursorSlots(config);
        variants[0] = new Variant(JurisdictionSet.ANY, config, this.regions, this.endpoints, eligibility, cursor);
        for (JurisdictionSet allowed : restrictions) {
            Variant v = restricted(allowed, cursor + slots, nowNanos);
            variants[allowed.id()] = v;
            slots += EligibleSet.cursorSlots(v.config);
        }
        this.cursorSlots = slots;
    }

    private Variant restricted(JurisdictionSet allowed, int variantCursor, long nowNanos) {
        List<EndpointConfig> compliantConfigs = new ArrayList<>();
        List<EndpointState> compliant = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++) {
            if (allowed.allows(jurisdictions == null ? null : jurisdictions.get(i))) {
                compliantConfigs.add(config.endpoints().get(i));
                compliant.add(endpoints.get(i));
            }
        }
        ClusterConfig c = withEndpoints(config, compliantConfigs);
        Regions r = Regions.of(c, declaredRegions, regions);
        return new Variant(allowed, c, r, List.copyOf(compliant),
                new ClusterSlot(EligibleSet.of(compliant, c, r, nowNanos)), variantCursor);
    }

    private static ClusterConfig withEndpoints(ClusterConfig c, List<EndpointConfig> endpoints) {
        return new ClusterConfig(c.name(), c.policy(), c.pool(), endpoints, c.healthCheck(), c.outlier(), c.slowStart(),
                c.priority(), c.statusThresholds(), c.retryBudget(), c.hash(), c.geo(), c.failover(), c.circuitBreaker());
    }

    /** Per-loop cursor slots this cluster uses, from its first: the unrestricted set's and each restricted set's. */
    int cursorSlots() {
        return cursorSlots;
    }

    public String name() {
        return config.name();
    }

    /**
     * The data plane's counters for this cluster, bound once when the table is built and before it is published, so
     * a request reaches them without a lookup by name. Opaque here: routing does not know how the proxy counts.
     * Null until bound (a table built by a test or a benchmark may never be).
     */
    public Object meters() {
        return meters;
    }

    /** Binds {@link #meters()}; only before the table is published, which is what makes the plain field safe. */
    public void bindMeters(Object meters) {
        this.meters = meters;
    }

    public ClusterConfig config() {
        return config;
    }

    /** Every endpoint of the cluster, in config order, eligible or not. */
    public List<EndpointState> endpoints() {
        return endpoints;
    }

    /** Where the endpoints that take traffic now are published; health and admin republish through it. */
    public ClusterSlot eligibility() {
        return eligibility;
    }

    /**
     * Picks an endpoint with the cluster's policy, using this event loop's cursor: no lock, no allocation. Does not
     * count the request in flight; the caller does that when it sends it.
     *
     * @return the endpoint, or null when no endpoint can take traffic
     */
    public EndpointState pick(PickContext ctx) {
        return eligibility.snapshot().pick(ctx, cursor);
    }

    /**
     * Picks an endpoint among those {@code allowed} may be served from, as {@link #pick(PickContext)} does.
     *
     * @return the endpoint, or null when no allowed endpoint can take traffic
     */
    public EndpointState pick(PickContext ctx, JurisdictionSet allowed) {
        Variant v = variant(allowed);
        if (v == null) {
            return null;
        }
        EligibleSet set = v.slot.snapshot();
        return refusesInPanic(allowed, set) ? null : set.pick(ctx, v.cursor);
    }

    /** The eligible set that requests restricted to {@code allowed} pick from; EMPTY when denied. */
    public EligibleSet eligibility(JurisdictionSet allowed) {
        Variant v = variant(allowed);
        return v == null ? EligibleSet.EMPTY : v.slot.snapshot();
    }

    /** The jurisdiction of each endpoint, index for index with {@link #endpoints()}; null: none known. */
    public String jurisdiction(int endpointIndex) {
        return jurisdictions == null ? null : jurisdictions.get(endpointIndex);
    }

    /**
     * A restricted request whose compliant endpoints are all known to be down is refused with its residency reason,
     * rather than sent in panic to endpoints that will fail it with a less telling error.
     */
    private static boolean refusesInPanic(JurisdictionSet allowed, EligibleSet set) {
        return allowed.isRestricted() && !set.anyTakesTraffic();
    }

    private Variant variant(JurisdictionSet allowed) {
        int id = allowed.id();
        // A set of another table (a request that matched before a reload) or DENIED: nothing is known to comply.
        return id < 0 || id >= variants.length || variants[id].allowed != allowed ? null : variants[id];
    }

    /**
     * Picks an endpoint for a retry: an eligible one that is not among the first {@code triedCount} of {@code tried}.
     * No lock, no allocation.
     *
     * @return the endpoint, or null when every eligible endpoint was tried
     */
    public EndpointState pickExcluding(PickContext ctx, EndpointState[] tried, int triedCount) {
        return pickExcluding(ctx, JurisdictionSet.ANY, tried, triedCount);
    }

    /** As {@link #pickExcluding(PickContext, EndpointState[], int)}, among the endpoints {@code allowed} permits. */
    public EndpointState pickExcluding(PickContext ctx, JurisdictionSet allowed, EndpointState[] tried,
                                       int triedCount) {
        Variant v = variant(allowed);
        if (v == null) {
            return null;
        }
        EligibleSet set = v.slot.snapshot();
        if (refusesInPanic(allowed, set)) {
            return null;
        }
        EndpointState fallback = null;
        for (int i = 0; i < RETRY_PICKS; i++) {
            EndpointState e = set.pick(ctx, v.cursor);
            if (e == null) {
                return null;
            }
            if (!contains(tried, triedCount, e)) {
                // In panic mode the table holds endpoints known to be down: a retry must get away from those.
                if (e.status().takesTraffic()) {
                    return e;
                }
                fallback = fallback == null ? e : fallback;
            }
        }
        List<EndpointState> members = set.members(ctx);
        EndpointState e = firstUntried(members, tried, triedCount, true);
        if (e == null) {
            e = firstUntried(set.spares(), tried, triedCount, true);
        }
        if (e == null) {
            e = fallback != null ? fallback : firstUntried(members, tried, triedCount, false);
        }
        return e;
    }

    private static EndpointState firstUntried(List<EndpointState> candidates, EndpointState[] tried, int count,
                                              boolean takingTrafficOnly) {
        for (int i = 0; i < candidates.size(); i++) {
            EndpointState e = candidates.get(i);
            if (!contains(tried, count, e) && (!takingTrafficOnly || e.status().takesTraffic())) {
                return e;
            }
        }
        return null;
    }

    private static boolean contains(EndpointState[] tried, int count, EndpointState e) {
        for (int i = 0; i < count; i++) {
            if (tried[i] == e) {
                return true;
            }
        }
        return false;
    }

    /**
     * Rebuilds the eligible set from the endpoints' current status and weights and publishes it, unless nothing a
     * pick could see changed. The health control thread calls it on every status change.
     *
     * @return the set current after the call
     */
    public EligibleSet republish(long nowNanos) {
        for (int i = 1; i < variants.length; i++) {
            Variant v = variants[i];
            v.slot.republish(prev -> EligibleSet.of(v.endpoints, v.config, v.regions, nowNanos));
        }
        return eligibility.republish(prev -> EligibleSet.of(endpoints, config, regions, nowNanos));
    }

    /**
     * Points each endpoint's region in-flight count at this cluster's counters (or at none when the cluster does not
     * spill on load). Called once the table that holds this cluster is certain to be published.
     */
    void countRegionInFlight() {
        for (int i = 0; i < endpoints.size(); i++) {
            endpoints.get(i).countRegionInFlight(regions.inFlight(regions.regionOfEndpoint(i)));
        }
    }

    /** The cluster's hard limits and automatic shedding; requests, connections and pending connects count here. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Retries and hedges to this cluster spend from here; the breaker's {@code max_retries} caps it. */
    public RetryBudget retryBudget() {
        return retryBudget;
    }

    @Override
    public String toString() {
        return "Cluster[" + name() + "]";
    }

    /** The endpoints one allowed set permits, as a cluster of their own: config, states, published set, cursors. */
    private static final class Variant {
        final JurisdictionSet allowed;
        final ClusterConfig config;
        final Regions regions;
        final List<EndpointState> endpoints;
        final ClusterSlot slot;
        final int cursor;

        Variant(JurisdictionSet allowed, ClusterConfig config, Regions regions, List<EndpointState> endpoints,
                ClusterSlot slot, int cursor) {
            this.allowed = allowed;
            this.config = config;
            this.regions = regions;
            this.endpoints = endpoints;
            this.slot = slot;
            this.cursor = cursor;
        }
    }
}
