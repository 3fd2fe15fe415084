package dev.meridian.routing.balance;

import dev.meridian.config.HashConfig;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.XxHash64;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code maglev}: Google's Maglev lookup table (Eisenbud et al., NSDI 2016), weighted as Envoy does it. A pick is
 * {@code table[hash mod size]}: one division and one load.
 *
 * <p>Each member walks its own permutation of the table ({@code offset + j × skip mod size}, both from the hash of
 * its endpoint id; the size is prime, so any skip visits every entry) and members take turns claiming their next
 * free entry. A member of weight w takes a turn in w / max weight of the rounds, so entries, hence keys, are shared
 * in proportion to weight. When a member leaves, its entries go to others and a few more entries change owner as
 * the turns shift: the paper's "minimal disruption" is close to, not exactly, 1/N.
 */
final class MaglevPicker extends HashPicker {
    private final int size;

    private MaglevPicker(EndpointState[] members, int[] weights, HashConfig config, int[] table) {
        super(members, weights, table, config);
        this.size = table.length;
    }

    static MaglevPicker of(EndpointState[] members, int[] weights, HashConfig config) {
        int wanted = config.tableSize() > 0 ? config.tableSize() : HashConfig.DEFAULT_MAGLEV_TABLE;
        int size = primeAtLeast(Math.max(wanted, members.length));
        return new MaglevPicker(members, weights, config, table(members, weights, size));
    }

    @Override
    int position(long hash) {
        return Math.floorMod(hash, size);
    }

    /** Table entries, for tests. */
    int size() {
        return size;
    }

    static int[] table(EndpointState[] members, int[] weights, int size) {
        int n = members.length;
        int[] table = new int[size];
        if (n == 0) {
            return table;
        }
        Arrays.fill(table, -1);
        int[] next = new int[n];
        int[] skip = new int[n];
        long[] claimed = new long[n];
        long maxWeight = 1;
        for (int i = 0; i < n; i++) {
            byte[] id = members[i].id().getBytes(StandardCharsets.UTF_8);
            next[i] = (int) Long.remainderUnsigned(XxHash64.hash(id, 0), size);
            skip[i] = (int) Long.remainderUnsigned(XxHash64.hash(id, 1), size - 1) + 1;
            maxWeight = Math.max(maxWeight, weights[i]);
        }
        int filled = 0;
        for (long round = 0; filled < size; round++) {
            for (int i = 0; i < n && filled < size; i++) {
                // Member i's turn comes while its claims stay under round × weight / max weight (exact in longs).
                if (round * weights[i] < claimed[i] * maxWeight) {
                    continue;
                }
                claimed[i]++;
                int c = next[i];
                while (table[c] >= 0) {
                    c += skip[i];
                    if (c >= size) {
                        c -= size;
                    }
                }
                table[c] = i;
                c += skip[i];
                next[i] = c >= size ? c - size : c;
                filled++;
            }
        }
        return table;
    }

    /** The smallest prime at or above {@code n}: with a composite size some skips would not visit every entry. */
    static int primeAtLeast(int n) {
        for (int p = Math.max(2, n); ; p++) {
            if (isPrime(p)) {
                return p;
            }
        }
    }

    private static boolean isPrime(int p) {
        if (p < 4) {
            return p >= 2;
        }
        if (p % 2 == 0) {
            return false;
        }
        for (int d = 3; (long) d * d <= p; d += 2) {
            if (p % d == 0) {
                return false;
            }
        }
        return true;
    }
}
