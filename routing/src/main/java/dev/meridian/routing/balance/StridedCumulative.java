package dev.meridian.routing.balance;

import java.util.Arrays;

/**
 * Weighted picks for cycles too long to precompute: a search over cumulative weights. The ticket is first multiplied
 * by a stride coprime with the total, a bijection on {@code [0, total)}, so each whole cycle still gives every entry
 * exactly its weight while consecutive tickets land far apart instead of in one entry's run.
 *
 * <p>A plain binary search over a thousand entries costs ten unpredictable branches per pick. Buckets of
 * {@code 2^shift} slots, about two per entry, remember the first entry each bucket can hold, so the search usually
 * covers one or two entries.
 */
final class StridedCumulative {
    /** Close to total / golden ratio: the stride that spreads consecutive tickets most evenly. */
    private static final double GOLDEN_FRACTION = 0.6180339887498949;

    private final long[] cumulative;
    private final long total;
    private final long stride;
    private final int shift;
    /** {@code bucketStart[b]}: the first entry whose cumulative weight exceeds {@code b << shift}. */
    private final int[] bucketStart;

    StridedCumulative(int[] weights) {
        cumulative = new long[weights.length];
        long sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            cumulative[i] = sum;
        }
        total = sum;
        stride = strideFor(sum);
        shift = Math.max(0, 63 - Long.numberOfLeadingZeros(Math.max(1, sum / (2L * weights.length))));
        bucketStart = new int[(int) ((sum - 1) >>> shift) + 1];
        int entry = 0;
        for (int b = 0; b < bucketStart.length; b++) {
            while (cumulative[entry] <= (long) b << shift) {
                entry++;
            }
            bucketStart[b] = entry;
        }
    }

    long total() {
        return total;
    }

    int index(long ticket) {
        long slot = Math.floorMod(ticket, total) * stride % total;
        int b = (int) (slot >>> shift);
        int from = bucketStart[b];
        int to = b + 1 < bucketStart.length ? bucketStart[b + 1] + 1 : cumulative.length;
        int i = Arrays.binarySearch(cumulative, from, to, slot + 1);
        return i >= 0 ? i : -i - 1;
    }

    private static long strideFor(long total) {
        if (total > Integer.MAX_VALUE) {
            return 1;   // the product slot * stride must fit a long; weights this large do not occur in practice
        }
        long s = Math.max(1, Math.round(total * GOLDEN_FRACTION));
        while (gcd(s, total) != 1) {
            s++;
        }
        return s;
    }

    static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
