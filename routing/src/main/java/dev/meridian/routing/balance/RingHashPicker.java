package dev.meridian.routing.balance;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.HashConfig;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.XxHash64;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code ring_hash}: Ketama consistent hashing. Each member puts points on a 64-bit ring, as many as its weight
 * buys; a key goes to the first point at or after its hash, wrapping around. A pick is one binary search.
 *
 * <p>Point {@code j} of a member is the hash of its endpoint id with seed {@code j}, so it depends on nothing else:
 * a member that leaves takes its points with it, and only the keys on its arcs move. The points per unit of weight
 * come from the cluster's configured weights, not from the members eligible now, so an ejection or a drain changes
 * no other member's points either; with every endpoint up the ring holds about {@code hash.tableSize} points
 * ({@link HashConfig#DEFAULT_RING_NODES} by default), and every member at least one. A member's share of the keys
 * varies by about 1/sqrt(its points) around its weight share: raise {@code tableSize} for large clusters.
 */
final class RingHashPicker extends HashPicker {
    /** Points in ring order (signed order; the ring wraps from the largest to the smallest). */
    private final long[] points;
    /**
     * {@code bucketStart[b]}: the first point in bucket {@code b} or after it, the buckets being the top bits of
     * a hash (sign flipped, so they follow signed order), about one point each; one sentinel at the end. A search
     * then covers a point or two instead of the whole ring, whose binary search misses the cache and mispredicts
     * for each of its log2(points) steps.
     */
    private final int[] bucketStart;
    private final int shift;

    private RingHashPicker(EndpointState[] members, int[] weights, HashConfig config, Ring ring) {
        super(members, weights, ring.owners, config);
        this.points = ring.points;
        int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(1, points.length - 1)));
        this.shift = 64 - bits;
        this.bucketStart = new int[(1 << bits) + 1];
        int i = 0;
        for (int b = 0; b < bucketStart.length; b++) {
            while (i < points.length && bucket(points[i]) < b) {
                i++;
            }
            bucketStart[b] = i;
        }
    }

    static RingHashPicker of(EndpointState[] members, int[] weights, ClusterConfig cluster) {
        HashConfig config = cluster.hash();
        int size = config.tableSize() > 0 ? config.tableSize() : HashConfig.DEFAULT_RING_NODES;
        long configured = 0;
        for (EndpointConfig e : cluster.endpoints()) {
            configured += Math.max(0, e.weight());
        }
        double pointsPerWeight = size / (double) Math.max(1, configured);
        return new RingHashPicker(members, weights, config, Ring.build(members, weights, pointsPerWeight));
    }

    @Override
    int position(long hash) {
        long[] r = points;
        int b = bucket(hash);
        // The first point at or after the hash is in its bucket, or else it is the first of the buckets after.
        int i = Arrays.binarySearch(r, bucketStart[b], bucketStart[b + 1], hash);
        if (i < 0) {
            i = -i - 1;
        }
        return i == r.length ? 0 : i;
    }

    private int bucket(long hash) {
        return (int) ((hash ^ Long.MIN_VALUE) >>> shift);
    }

    /** Points on the ring, for tests. */
    int size() {
        return points.length;
    }

    long[] points() {
        return points;
    }

    private record Ring(long[] points, int[] owners) {
        static Ring build(EndpointState[] members, int[] weights, double pointsPerWeight) {
            int[] count = new int[members.length];
            int total = 0;
            for (int i = 0; i < members.length; i++) {
                count[i] = (int) Math.max(1, Math.round(weights[i] * pointsPerWeight));
                total = Math.addExact(total, count[i]);
            }
            long[] hashes = new long[total];
            int[] owner = new int[total];
            int k = 0;
            for (int i = 0; i < members.length; i++) {
                byte[] id = members[i].id().getBytes(StandardCharsets.UTF_8);
                for (int j = 0; j < count[i]; j++) {
                    hashes[k] = XxHash64.hash(id, j);
                    owner[k++] = i;
                }
            }
            long[] sorted = hashes.clone();
            Arrays.sort(sorted);
            int distinct = 0;
            for (int i = 0; i < total; i++) {
                if (distinct == 0 || sorted[i] != sorted[distinct - 1]) {
                    sorted[distinct++] = sorted[i];
                }
            }
            long[] points = Arrays.copyOf(sorted, distinct);
            int[] owners = new int[distinct];
            Arrays.fill(owners, -1);
            for (int i = 0; i < total; i++) {
                int at = Arrays.binarySearch(points, hashes[i]);
                // Two points on one hash (about never in 64 bits): the smaller id keeps it, whatever the order.
                if (owners[at] < 0 || members[owner[i]].id().compareTo(members[owners[at]].id()) < 0) {
                    owners[at] = owner[i];
                }
            }
            return new Ring(points, owners);
        }
    }
}
