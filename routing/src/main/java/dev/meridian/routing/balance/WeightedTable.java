package dev.meridian.routing.balance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Interleaved weighted round robin over a fixed list, built once and never mutated. A pick is
 * {@code sequence[ticket % cycle]}, where the ticket comes from the caller's per-event-loop cursor: no lock, no
 * shared write, no allocation. Every whole cycle of tickets gives each entry exactly its share; entries of weight 0
 * are never picked.
 *
 * <p>The sequence is nginx's smooth WRR ({@link SmoothWeightedRoundRobin}) when the cycle (sum of weights over their
 * gcd) is short enough to store; beyond that, {@link StridedCumulative} answers in O(log n).
 *
 * @param <T> the entries: endpoints of a cluster, or the clusters of a split
 */
public final class WeightedTable<T> {
    /** The longest cycle stored as a sequence: 64 Ki references, a few hundred KiB at most. */
    static final int MAX_SEQUENCE = 1 << 16;
    /** Bounds the build cost (entries x cycle steps), since a reload should take milliseconds. */
    static final long MAX_SEQUENCE_WORK = 1L << 24;

    private static final Object[] NONE = new Object[0];

    private final List<T> entries;
    private final Object[] sequence;
    private final StridedCumulative strided;

    private WeightedTable(List<T> entries, Object[] sequence, StridedCumulative strided) {
        this.entries = entries;
        this.sequence = sequence;
        this.strided = strided;
    }

    /**
     * A table over {@code items}, whose weights are {@code weights[i]}.
     *
     * @throws IllegalArgumentException when the sizes differ or a weight is negative
     */
    public static <T> WeightedTable<T> of(List<T> items, int[] weights) {
        if (items.size() != weights.length) {
            throw new IllegalArgumentException("weights: " + weights.length + " (expected: " + items.size() + ")");
        }
        List<T> kept = new ArrayList<>();
        int[] keptWeights = new int[weights.length];
        long gcd = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] < 0) {
                throw new IllegalArgumentException("weight of " + items.get(i) + ": " + weights[i]
                        + " (expected: >= 0)");
            }
            if (weights[i] > 0) {
                keptWeights[kept.size()] = weights[i];
                kept.add(items.get(i));
                gcd = StridedCumulative.gcd(weights[i], gcd);
            }
        }
        int[] reduced = new int[kept.size()];
        long total = 0;
        for (int i = 0; i < reduced.length; i++) {
            reduced[i] = (int) (keptWeights[i] / gcd);
            total += reduced[i];
        }
        List<T> entries = Collections.unmodifiableList(kept);
        if (total <= MAX_SEQUENCE && total * reduced.length <= MAX_SEQUENCE_WORK) {
            return new WeightedTable<>(entries, sequenceOf(kept, SmoothWeightedRoundRobin.cycle(reduced)), null);
        }
        return new WeightedTable<>(entries, null, new StridedCumulative(reduced));
    }

    private static Object[] sequenceOf(List<?> items, int[] order) {
        if (order.length == 0) {
            return NONE;
        }
        Object[] sequence = new Object[order.length];
        for (int i = 0; i < order.length; i++) {
            sequence[i] = items.get(order[i]);
        }
        return sequence;
    }

    /** The entry for {@code ticket}, or null when no entry has weight. */
    @SuppressWarnings("unchecked")
    public T pick(long ticket) {
        Object[] seq = sequence;
        if (seq != null) {
            return seq.length == 0 ? null : (T) seq[Math.floorMod(ticket, seq.length)];
        }
        return entries.get(strided.index(ticket));
    }

    /** Tickets in one whole cycle, after which the picks repeat; 0 when empty. */
    public long cycle() {
        return sequence != null ? sequence.length : strided.total();
    }

    /** The entries that can be picked (weight above 0), in the given order. */
    public List<T> entries() {
        return entries;
    }

    /** Whether no entry has weight, so {@link #pick} always answers null. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
