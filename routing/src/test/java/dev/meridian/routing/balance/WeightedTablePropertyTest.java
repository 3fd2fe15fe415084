package dev.meridian.routing.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class WeightedTablePropertyTest {

    @Property(tries = 300)
    void everyWholeCycleGivesEachEntryExactlyItsShare(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 10_000) Integer> weights,
            @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long start) {
        WeightedTable<Integer> table = table(weights);
        long gcd = 0;
        long total = 0;
        for (int w : weights) {
            gcd = StridedCumulative.gcd(w, gcd);
            total += w;
        }
        if (total == 0) {
            assertThat(table.pick(start)).isNull();
            return;
        }
        assertThat(table.cycle()).isEqualTo(total / gcd);

        long[] counts = new long[weights.size()];
        for (long t = start; t < start + table.cycle(); t++) {
            counts[table.pick(t)]++;
        }
        for (int i = 0; i < weights.size(); i++) {
            assertThat(counts[i]).as("entry %d of %s", i, weights).isEqualTo(weights.get(i) / gcd);
        }
    }

    /**
     * Smooth WRR never lets an entry run a whole pick ahead of its share at any point in the cycle: that is what
     * keeps a heavy endpoint from getting bursts.
     */
    @Property(tries = 300)
    void aSmoothSequenceNeverRunsAPickAheadOfAnyEntrysShare(
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 50) Integer> weights) {
        WeightedTable<Integer> table = table(weights);
        long total = weights.stream().mapToLong(Integer::longValue).sum();
        long[] counts = new long[weights.size()];
        for (long t = 0; t < table.cycle(); t++) {
            int e = table.pick(t);
            counts[e]++;
            // counts[e] < (t + 1) * share + 1, in integers
            assertThat(counts[e] * total).as("%s at ticket %d", weights, t)
                    .isLessThan((t + 1) * weights.get(e) + total);
        }
    }

    private static WeightedTable<Integer> table(List<Integer> weights) {
        List<Integer> indexes = new ArrayList<>();
        int[] w = new int[weights.size()];
        for (int i = 0; i < w.length; i++) {
            indexes.add(i);
            w[i] = weights.get(i);
        }
        return WeightedTable.of(indexes, w);
    }
}
