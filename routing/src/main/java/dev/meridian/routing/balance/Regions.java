package dev.meridian.routing.balance;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.Policy;
import dev.meridian.config.RegionConfig;
import dev.meridian.routing.geo.ClientLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The regions a cluster's endpoints run in, as the {@code geo} and {@code score} pickers compare them with a client:
 * coordinates (with unit vectors, so the nearest is the largest dot product), the geo bias, which endpoints each
 * holds, and, when a geo cluster spills on load, each region's requests in flight. Built once per routing table from
 * the cluster and the declared regions, so health republications reuse it and its per-location cache.
 *
 * <p>Regions are indexed in declaration order; a region an endpoint names but the config does not declare (the
 * validator rejects that) comes last, without coordinates: it is never nearer than a located one.
 */
public final class Regions {
    /** No dot product reaches this: what a region without coordinates scores. */
    static final double NO_DOT = -2;

    private final String[] names;
    private final Map<String, Integer> indexByName;
    private final boolean[] located;
    private final double[] latitude;
    private final double[] longitude;
    private final double[] ux;
    private final double[] uy;
    private final double[] uz;
    /** Distance multiplier per region: 1 - bias / 100 (Route 53 geoproximity). */
    private final double[] scale;
    private final boolean biased;
    /** Per region, the indices of its endpoints in the cluster's config. */
    private final int[][] endpoints;
    /** Per endpoint of the cluster's config, its region index. */
    private final int[] regionOfEndpoint;
    /** Per region, every region index ordered by biased distance from it (itself first): the retry order. */
    private final int[][] orderFrom;
    /** Per region, its requests in flight; null when nothing reads them. */
    private final AtomicInteger[] inFlight;
    private final int[] configOrder;
    private final LocationCache cache = new LocationCache(this::figures);

    private Regions(List<String> names, Map<String, RegionConfig> declared, ClusterConfig cluster,
                    Map<String, List<Integer>> byRegion, Regions countersOf) {
        int n = names.size();
        this.names = names.toArray(new String[0]);
        this.indexByName = new HashMap<>();
        located = new boolean[n];
        latitude = new double[n];
        longitude = new double[n];
        ux = new double[n];
        uy = new double[n];
        uz = new double[n];
        scale = new double[n];
        endpoints = new int[n][];
        configOrder = new int[n];
        boolean countLoad = cluster.policy() == Policy.GEO && cluster.geo().spillAtLoadPercent() > 0;
        inFlight = countLoad ? new AtomicInteger[n] : null;
        boolean anyBias = false;
        for (int r = 0; r < n; r++) {
            String name = this.names[r];
            indexByName.put(name, r);
            configOrder[r] = r;
            RegionConfig rc = declared.get(name);
            located[r] = rc != null && !Double.isNaN(rc.latitude()) && !Double.isNaN(rc.longitude());
            latitude[r] = located[r] ? rc.latitude() : Double.NaN;
            longitude[r] = located[r] ? rc.longitude() : Double.NaN;
            if (located[r]) {
                double[] u = ClientLocation.unitVector(rc.latitude(), rc.longitude());
                ux[r] = u[0];
                uy[r] = u[1];
                uz[r] = u[2];
            }
            int bias = cluster.geo().biasOf(name);
            anyBias |= bias != 0;
            scale[r] = Math.max(0, 1 - bias / 100.0);
            endpoints[r] = byRegion.get(name).stream().mapToInt(Integer::intValue).toArray();
            if (countLoad) {
                AtomicInteger shared = countersOf == null ? null : countersOf.inFlight(countersOf.indexOf(name));
                inFlight[r] = shared != null ? shared : new AtomicInteger();
            }
        }
        biased = anyBias;
        regionOfEndpoint = new int[cluster.endpoints().size()];
        for (int r = 0; r < n; r++) {
            for (int i : endpoints[r]) {
                regionOfEndpoint[i] = r;
            }
        }
        orderFrom = new int[n][];
        for (int r = 0; r < n; r++) {
            double[] key = new double[n];
            for (int s = 0; s < n; s++) {
                key[s] = s == r ? Double.NEGATIVE_INFINITY : located[r] && located[s]
                        ? ClientLocation.distanceKm(latitude[r], longitude[r], latitude[s], longitude[s]) * scale[s]
                        : Double.POSITIVE_INFINITY;
            }
            orderFrom[r] = ascending(key);
        }
    }

    /**
     * The regions of {@code cluster}'s endpoints.
     *
     * @param declared the config's regions (where their coordinates come from)
     */
    public static Regions of(ClusterConfig cluster, List<RegionConfig> declared) {
        return of(cluster, declared, null);
    }

    /**
     * The regions of {@code subset}, some of another cluster's endpoints (a residency restriction), whose in-flight
     * counts are that cluster's: a region's load is the same whichever requests look at it.
     */
    public static Regions of(ClusterConfig subset, List<RegionConfig> declared, Regions countersOf) {
        ClusterConfig cluster = subset;
        Map<String, List<Integer>> byRegion = new LinkedHashMap<>();
        List<EndpointConfig> configs = cluster.endpoints();
        for (int i = 0; i < configs.size(); i++) {
            byRegion.computeIfAbsent(String.valueOf(configs.get(i).region()), k -> new ArrayList<>()).add(i);
        }
        Map<String, RegionConfig> byName = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (RegionConfig r : declared) {
            byName.putIfAbsent(r.name(), r);
            if (byRegion.containsKey(r.name()) && !names.contains(r.name())) {
                names.add(r.name());
            }
        }
        for (String name : byRegion.keySet()) {
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return new Regions(names, byName, cluster, byRegion, countersOf);
    }

    public int size() {
        return names.length;
    }

    public String name(int region) {
        return names[region];
    }

    /** The index of the region named {@code name}, or -1. */
    public int indexOf(String name) {
        Integer i = indexByName.get(name);
        return i == null ? -1 : i;
    }

    /** The region index of the cluster's {@code endpoint}-th endpoint (in config order). */
    public int regionOfEndpoint(int endpoint) {
        return regionOfEndpoint[endpoint];
    }

    /** Indices into the cluster's config of the endpoints in {@code region}. */
    int[] endpointsOf(int region) {
        return endpoints[region];
    }

    /** Whether any region has a geo bias: the nearest then needs real distances, not dot products. */
    boolean biased() {
        return biased;
    }

    /** Cosine of the angle between the client and {@code region}: larger is nearer; {@link #NO_DOT} if unknown. */
    double dot(ClientLocation location, int region) {
        return located[region] ? location.dot(ux[region], uy[region], uz[region]) : NO_DOT;
    }

    /**
     * Great-circle km from a located client to each region (NaN for a region without coordinates), from the
     * per-location cache: no allocation when the location was seen before.
     */
    double[] distancesKm(ClientLocation location) {
        return cache.get(location).km();
    }

    /**
     * Region indices by biased distance from the client, nearest first, ties in declaration order; declaration
     * order itself when the client has no coordinates.
     */
    int[] order(ClientLocation location) {
        if (location == null || !location.hasCoordinates()) {
            return configOrder;
        }
        return cache.get(location).order();
    }

    /** Region indices by biased distance from {@code region}, itself first. */
    int[] orderFrom(int region) {
        return orderFrom[region];
    }

    /** Requests in flight to {@code region}'s endpoints, or null when the cluster does not spill on load. */
    public AtomicInteger inFlight(int region) {
        return inFlight == null ? null : inFlight[region];
    }

    private LocationCache.Entry figures(ClientLocation location) {
        int n = names.length;
        double[] km = new double[n];
        double[] key = new double[n];
        for (int r = 0; r < n; r++) {
            km[r] = located[r] ? location.distanceKm(latitude[r], longitude[r]) : Double.NaN;
            key[r] = located[r] ? km[r] * scale[r] : Double.POSITIVE_INFINITY;
        }
        return new LocationCache.Entry(location, km, ascending(key));
    }

    /** Indices sorted by key, stable (ties keep index order); insertion sort, as there are few regions. */
    private static int[] ascending(double[] key) {
        int[] order = new int[key.length];
        for (int i = 0; i < order.length; i++) {
            int j = i;
            while (j > 0 && key[order[j - 1]] > key[i]) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        return order;
    }

    @Override
    public String toString() {
        return "Regions" + List.of(names);
    }
}
