package dev.meridian.routing.balance;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.Policy;
import dev.meridian.routing.EndpointHealth;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.EndpointStatus;
import dev.meridian.routing.PickContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;

/**
 * The endpoints of a cluster that take traffic now: per priority level, a weighted table over effective weights and
 * the level's share of the load (Envoy's spill-over, see {@link PriorityLoad}). Immutable, rebuilt only on a status,
 * weight or config change and published through a {@link ClusterSlot}, so a pick reads arrays and never checks an
 * endpoint's health.
 *
 * <p>A level whose healthy share falls below the panic threshold routes over all its endpoints with their configured
 * weights, rather than pile its load on the few left; DRAINING and MAINTENANCE endpoints stay out even then.
 *
 * <p>Cursor slots: a cluster with one level uses its one slot for endpoints; with several, its first slot picks the
 * level and level {@code i} (in priority order) uses slot {@code 1 + i}, so each table is exactly proportional per
 * event loop.
 *
 * <p>Within a level the cluster's {@link Policy} chooses: {@code weighted} walks the table with the cursor,
 * {@code random} draws over cumulative weights, {@code least_request}, {@code latency} and {@code score} compare two
 * distinct members drawn at random (power of two choices). All of them read arrays built here, never scan, and
 * allocate nothing. A {@code geo} set holds one set per region instead and picks the region first ({@link GeoSet});
 * its levels and members are those of all regions, in region order.
 */
public final class EligibleSet {
    /** No endpoint can take traffic. */
    public static final EligibleSet EMPTY = new EligibleSet(Policy.WEIGHTED, new Level[0], List.of(), null);

    private final Policy policy;
    private final Level[] levels;
    private final WeightedTable<Level> levelTable;
    private final List<EndpointState> members;
    private final List<EndpointState> spares;
    /** Non-null for a {@code geo} set: picks go through it. */
    private final GeoSet geo;
    private final boolean anyTakesTraffic;

    private EligibleSet(Policy policy, Level[] levels, List<EndpointState> spares, GeoSet geo) {
        this.policy = policy;
        this.levels = levels;
        this.spares = spares;
        this.geo = geo;
        int[] loads = new int[levels.length];
        List<EndpointState> all = new ArrayList<>();
        for (int i = 0; i < levels.length; i++) {
            loads[i] = levels[i].loadPercent;
            all.addAll(levels[i].table.entries());
        }
        this.levelTable = WeightedTable.of(Arrays.asList(levels), loads);
        this.members = Collections.unmodifiableList(all);
        this.anyTakesTraffic = all.stream().anyMatch(e -> e.status().takesTraffic());
    }

    /**
     * Whether any member takes traffic, as of the build: false when the set only routes in panic over endpoints known
     * to be down. The set is rebuilt on every status change, so this stays true to it.
     */
    public boolean anyTakesTraffic() {
        return anyTakesTraffic;
    }

    /** Cursor slots a cluster of this config needs: one per level plus one to pick the level, or one in all. */
    public static int cursorSlots(ClusterConfig cluster) {
        if (cluster.policy() == Policy.GEO) {
            return GeoSet.cursorSlots(cluster);
        }
        int levels = configuredLevels(cluster.endpoints()).length;
        return levels <= 1 ? 1 : 1 + levels;
    }

    /**
     * The eligible set of a cluster's endpoints at {@code nowNanos}.
     *
     * @param states  the cluster's endpoint states, index for index with {@code cluster.endpoints()} (a table being
     *                built carries newer configs than the states until it commits)
     */
    public static EligibleSet of(List<EndpointState> states, ClusterConfig cluster, long nowNanos) {
        return of(states, cluster, Regions.of(cluster, List.of()), nowNanos);
    }

    /**
     * As {@link #of(List, ClusterConfig, long)}, with the coordinates of the cluster's regions for the {@code geo}
     * and {@code score} policies.
     *
     * @param regions built from this {@code cluster} (or the geo cluster a region's config was derived from)
     */
    public static EligibleSet of(List<EndpointState> states, ClusterConfig cluster, Regions regions,
                                 long nowNanos) {
        List<EndpointConfig> configs = cluster.endpoints();
        if (states.size() != configs.size()) {
            throw new IllegalArgumentException("states: " + states.size() + " (expected: " + configs.size() + ")");
        }
        if (cluster.policy() == Policy.GEO) {
            return ofRegions(GeoSet.of(states, cluster, regions, nowNanos));
        }
        int[] priorities = configuredLevels(configs);
        Level[] built = new Level[priorities.length];
        int[] health = new int[priorities.length];
        for (int i = 0; i < priorities.length; i++) {
            built[i] = Level.build(priorities[i], priorities.length == 1 ? 0 : 1 + i, states, cluster, regions,
                    nowNanos);
            health[i] = built[i].healthPercent;
        }
        int[] load = PriorityLoad.distribute(health);
        if (Arrays.stream(load).sum() == 0) {
            return panicOnFirstLevel(built, cluster);
        }
        if (ShiftedLoad.any(states)) {
            ShiftedLoad.apply(built, load);
        }
        List<Level> kept = new ArrayList<>();
        List<EndpointState> spares = new ArrayList<>();
        for (int i = 0; i < built.length; i++) {
            if (load[i] > 0) {
                kept.add(built[i].withLoad(load[i]));
            } else {
                spares.addAll(built[i].table.entries());
            }
        }
        return new EligibleSet(cluster.policy(), kept.toArray(new Level[0]), Collections.unmodifiableList(spares),
                null);
    }

    private static EligibleSet ofRegions(GeoSet geo) {
        List<Level> levels = new ArrayList<>();
        List<EndpointState> spares = new ArrayList<>();
        for (EligibleSet s : geo.regionSets()) {
            levels.addAll(s.levels());
            spares.addAll(s.spares());
        }
        return new EligibleSet(Policy.GEO, levels.toArray(new Level[0]), Collections.unmodifiableList(spares), geo);
    }

    /** Nothing is healthy anywhere: Envoy's answer is the first level in panic, when panic mode is on. */
    private static EligibleSet panicOnFirstLevel(Level[] built, ClusterConfig cluster) {
        if (cluster.priority().panicThresholdPercent() <= 0) {
            return EMPTY;
        }
        for (Level l : built) {
            if (l.panicTable.entries().size() > 0) {
                return new EligibleSet(cluster.policy(), new Level[] {l.inPanicWithAllLoad()}, List.of(), null);
            }
        }
        return EMPTY;
    }

    /** The distinct priorities that have any configured weight, in order. */
    private static int[] configuredLevels(List<EndpointConfig> configs) {
        TreeMap<Integer, Long> weightByLevel = new TreeMap<>();
        for (EndpointConfig c : configs) {
            weightByLevel.merge(c.priority(), (long) c.weight(), Long::sum);
        }
        return weightByLevel.entrySet().stream().filter(e -> e.getValue() > 0).mapToInt(e -> e.getKey()).toArray();
    }

    /**
     * Picks an endpoint with the caller's per-loop cursors starting at {@code cursor}; no lock, no allocation.
     *
     * @return the endpoint, or null when empty
     */
    public EndpointState pick(PickContext ctx, int cursor) {
        if (geo != null) {
            return geo.pick(ctx, cursor);
        }
        Level[] ls = levels;
        if (ls.length == 0) {
            return null;
        }
        Level l = ls.length == 1 ? ls[0] : levelTable.pick(ctx.nextTicket(cursor));
        return l.picker.pick(ctx, cursor + l.slot);
    }

    /** The policy picks within a level follow. */
    public Policy policy() {
        return policy;
    }

    /** The first level that takes load, or -1 when empty. */
    public int priority() {
        return levels.length == 0 ? -1 : levels[0].priority;
    }

    /** The levels that take load, in priority order. */
    public List<Level> levels() {
        return List.of(levels);
    }

    /** The endpoints that can be picked, level by level. */
    public List<EndpointState> members() {
        return members;
    }

    /**
     * The endpoints that can be picked, in the order a retry for the request in {@code ctx} should scan them: as
     * {@link #members()}, except that a {@code geo} set puts the request's region first and the others by their
     * distance from it. Allocates nothing.
     */
    public List<EndpointState> members(PickContext ctx) {
        return geo == null ? members : geo.retryOrder(ctx.location(), members);
    }

    /**
     * Healthy endpoints of levels that take no load now (a standby level while the primary is whole). A retry may
     * go there as a last resort: during a failure the primary level's republication may still be on its way.
     */
    public List<EndpointState> spares() {
        return spares;
    }

    /** Whether no endpoint can take traffic. */
    public boolean isEmpty() {
        return levels.length == 0;
    }

    /** Whether publishing {@code other} instead of this would change no pick. */
    public boolean sameMembersAs(EligibleSet other) {
        if (anyTakesTraffic != other.anyTakesTraffic) {
            return false;
        }
        if (geo != null || other.geo != null) {
            return geo != null && other.geo != null && geo.samePicksAs(other.geo);
        }
        if (policy != other.policy || levels.length != other.levels.length) {
            return false;
        }
        for (int i = 0; i < levels.length; i++) {
            if (!levels[i].samePicksAs(other.levels[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "EligibleSet[" + policy.yamlName() + "]" + (geo != null ? geo : Arrays.toString(levels));
    }

    /** One priority level's share of the load and the table its picks come from. */
    public static final class Level {
        private final int priority;
        private final int slot;
        private final int healthPercent;
        private final int loadPercent;
        private final boolean panic;
        private final int[] weights;
        private final WeightedTable<EndpointState> table;
        /** Kept so the level can go into panic without a rebuild when the whole cluster has no health. */
        private final WeightedTable<EndpointState> panicTable;
        private final int[] panicWeights;
        private final LevelPicker picker;
        private final Policy policy;
        private final ClusterConfig cluster;
        private final Regions regions;

        private Level(Policy policy, ClusterConfig cluster, Regions regions, int priority, int slot,
                      int healthPercent, int loadPercent, boolean panic, int[] weights,
                      WeightedTable<EndpointState> table, int[] panicWeights,
                      WeightedTable<EndpointState> panicTable, LevelPicker picker) {
            this.priority = priority;
            this.slot = slot;
            this.healthPercent = healthPercent;
            this.loadPercent = loadPercent;
            this.panic = panic;
            this.weights = weights;
            this.table = table;
            this.panicWeights = panicWeights;
            this.panicTable = panicTable;
            this.policy = policy;
            this.cluster = cluster;
            this.regions = regions;
            this.picker = picker;
        }

        /**
         * The picker over {@code members} with {@code memberWeights}: only levels that take load need one, and
         * building it is the costly part of a republish (a maglev table), so a level built to be judged has none and
         * gets it once it is kept.
         */
        private LevelPicker picker(int[] memberWeights, WeightedTable<EndpointState> members) {
            if (picker != null && memberWeights == weights) {
                return picker;
            }
            return LevelPickers.of(policy, members.entries().toArray(new EndpointState[0]), memberWeights, members,
                    cluster, regions);
        }

        static Level build(int priority, int slot, List<EndpointState> states, ClusterConfig cluster,
                           Regions regions, long nowNanos) {
            List<EndpointConfig> configs = cluster.endpoints();
            List<EndpointState> healthy = new ArrayList<>();
            List<EndpointState> admitted = new ArrayList<>();
            int[] healthyWeights = new int[configs.size()];
            int[] admittedWeights = new int[configs.size()];
            long configured = 0;
            long healthyCapacity = 0;
            for (int i = 0; i < configs.size(); i++) {
                EndpointConfig c = configs.get(i);
                if (c.priority() != priority || c.weight() <= 0) {
                    continue;
                }
                EndpointState s = states.get(i);
                EndpointHealth h = s.health();
                configured += c.weight();
                healthyCapacity += h.healthyWeight(c.weight(), cluster);
                int effective = h.effectiveWeight(c.weight(), nowNanos, cluster);
                if (effective > 0) {
                    healthyWeights[healthy.size()] = effective;
                    healthy.add(s);
                }
                EndpointStatus status = h.status();
                if (status != EndpointStatus.DRAINING && status != EndpointStatus.MAINTENANCE) {
                    admittedWeights[admitted.size()] = c.weight();
                    admitted.add(s);
                }
            }
            int threshold = cluster.priority().panicThresholdPercent();
            boolean panic = threshold > 0 && healthyCapacity * 100.0 / configured < threshold;
            int health = PriorityLoad.health(healthyCapacity, configured,
                    cluster.priority().overprovisioningFactor());
            int[] hw = Arrays.copyOf(healthyWeights, healthy.size());
            int[] aw = Arrays.copyOf(admittedWeights, admitted.size());
            WeightedTable<EndpointState> admittedTable = WeightedTable.of(admitted, aw);
            Policy policy = cluster.policy();
            return panic
                    ? new Level(policy, cluster, regions, priority, slot, health, 0, true, aw, admittedTable, aw,
                            admittedTable, null)
                    : new Level(policy, cluster, regions, priority, slot, health, 0, false, hw,
                            WeightedTable.of(healthy, hw), aw, admittedTable, null);
        }

        Level withLoad(int load) {
            return new Level(policy, cluster, regions, priority, slot, healthPercent, load, panic, weights, table,
                    panicWeights, panicTable, picker(weights, table));
        }

        /** The same level picking over {@code kept} with {@code keptWeights} (all above 0): a failover shift. */
        Level reweighted(List<EndpointState> kept, int[] keptWeights) {
            return new Level(policy, cluster, regions, priority, slot, healthPercent, 0, panic, keptWeights,
                    WeightedTable.of(kept, keptWeights), panicWeights, panicTable, null);
        }

        Level inPanicWithAllLoad() {
            return new Level(policy, cluster, regions, priority, slot, healthPercent, 100, true, panicWeights,
                    panicTable, panicWeights, panicTable, picker(panicWeights, panicTable));
        }

        boolean samePicksAs(Level o) {
            if (priority != o.priority || loadPercent != o.loadPercent || panic != o.panic
                    || !Arrays.equals(weights, o.weights)) {
                return false;
            }
            List<EndpointState> mine = table.entries();
            List<EndpointState> theirs = o.table.entries();
            for (int i = 0; i < mine.size(); i++) {
                if (mine.get(i) != theirs.get(i)) {
                    return false;
                }
            }
            return true;
        }

        public int priority() {
            return priority;
        }

        /** Overprovisioned healthy share, 0..100, as used for the spill-over. */
        public int healthPercent() {
            return healthPercent;
        }

        /** Share of the cluster's picks this level takes, 1..100. */
        public int loadPercent() {
            return loadPercent;
        }

        /** Whether the level routes over all its endpoints, healthy or not. */
        public boolean panic() {
            return panic;
        }

        /** The endpoints this level picks from. */
        public List<EndpointState> members() {
            return table.entries();
        }

        /** The weight each member is picked with, index for index with {@link #members()}. */
        public int weight(int member) {
            return weights[member];
        }

        @Override
        public String toString() {
            return "P" + priority + "[load=" + loadPercent + "%, health=" + healthPercent + "%"
                    + (panic ? ", panic" : "") + ", " + table.entries().size() + " endpoints]";
        }
    }
}
