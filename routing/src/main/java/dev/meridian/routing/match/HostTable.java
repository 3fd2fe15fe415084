package dev.meridian.routing.match;

import java.util.Map;

/**
 * An immutable open-addressing map from lower-case host keys to values, probed with a range of any
 * {@link CharSequence} in any case, so a lookup copies nothing. Keys are full hosts ({@code api.example.com}, hashed
 * with {@link Ascii#forwardHash}) or wildcard suffixes ({@code .example.com}, hashed with {@link Ascii#suffixHash}).
 */
final class HostTable<V> {
    private final String[] keys;
    private final int[] hashes;
    private final Object[] values;
    private final int mask;
    private final int size;
    /** Key lengths present: a probe of any other length is answered without hashing into the table. */
    private final boolean[] lengths;
    private final boolean suffixHashed;

    /**
     * @param suffixHashed whether probes pass {@link Ascii#suffixHash} rather than {@link Ascii#forwardHash}
     */
    HostTable(Map<String, V> entries, boolean suffixHashed) {
        this.suffixHashed = suffixHashed;
        int capacity = Integer.highestOneBit(Math.max(2, entries.size() * 2 - 1)) << 1;
        keys = new String[capacity];
        hashes = new int[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        size = entries.size();
        int maxLength = 0;
        for (String key : entries.keySet()) {
            maxLength = Math.max(maxLength, key.length());
        }
        lengths = new boolean[maxLength + 1];
        entries.forEach(this::put);
    }

    private void put(String key, V value) {
        int hash = suffixHashed ? Ascii.suffixHash(key, 0, key.length()) : Ascii.forwardHash(key, 0, key.length());
        int i = spread(hash) & mask;
        while (keys[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        hashes[i] = hash;
        values[i] = value;
        lengths[key.length()] = true;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Whether some key is {@code length} characters long. */
    boolean hasLength(int length) {
        return length < lengths.length && lengths[length];
    }

    /** The value for {@code s[start, end)}, whose hash is {@code hash}; null when absent. */
    @SuppressWarnings("unchecked")
    V get(CharSequence s, int start, int end, int hash) {
        if (!hasLength(end - start)) {
            return null;
        }
        int i = spread(hash) & mask;
        String key;
        while ((key = keys[i]) != null) {
            if (hashes[i] == hash && Ascii.equalsLower(key, s, start, end)) {
                return (V) values[i];
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    private static int spread(int hash) {
        // Polynomial hashes of similar hosts differ mostly in low bits; fold the high bits in before masking.
        int h = hash * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
