package dev.meridian.config;

/**
 * The key of a {@code ring_hash} or {@code maglev} cluster, and how hard its load is bounded.
 *
 * @param key               where the key comes from
 * @param name              the header or cookie name; null for {@link HashKeyKind#CLIENT_IP}
 * @param boundedLoadFactor 0: off; else (&gt; 1.0) a key spills to the next endpoint when its own carries more than
 *                          factor × the average in-flight load (Google's consistent hashing with bounded loads)
 * @param tableSize         maglev: the lookup table's size, a prime; ring_hash: entries on the ring in all, shared in
 *                          proportion to weight; 0: the policy's default
 */
public record HashConfig(HashKeyKind key, String name, double boundedLoadFactor, int tableSize) {
    public static final int DEFAULT_MAGLEV_TABLE = 65_537;
    /** Ring entries in all for a ring_hash cluster, shared in proportion to weight (Envoy's minimum_ring_size). */
    public static final int DEFAULT_RING_NODES = 1_024;

    /** Requests without the key hash to a random endpoint; {@code client_ip} is always present. */
    public static final HashConfig CLIENT_IP = new HashConfig(HashKeyKind.CLIENT_IP, null, 0, 0);
}
