package dev.meridian.routing.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class WeightedTableTest {

    @Test
    void interleavesAsNginxSmoothWeightedRoundRobin() {
        WeightedTable<String> table = WeightedTable.of(List.of("a", "b", "c"), new int[] {5, 1, 1});

        assertThat(picks(table, 0, 14)).containsExactly(
                "a", "a", "b", "a", "c", "a", "a",
                "a", "a", "b", "a", "c", "a", "a");
        assertThat(picks(WeightedTable.of(List.of("a", "b"), new int[] {3, 1}), 0, 4))
                .containsExactly("a", "a", "b", "a");
        assertThat(picks(WeightedTable.of(List.of("a", "b", "c"), new int[] {1, 1, 1}), 0, 3))
                .containsExactly("a", "b", "c");
    }

    @Test
    void isExactlyProportionalOverWholeCycles() {
        WeightedTable<String> table = WeightedTable.of(List.of("a", "b"), new int[] {1, 3});

        long b = LongStream.range(0, 400_000).filter(t -> table.pick(t).equals("b")).count();

        assertThat(b).isEqualTo(300_000);
    }

    @Test
    void dividesWeightsByTheirGcdSoTheCycleIsShort() {
        assertThat(WeightedTable.of(List.of("a", "b"), new int[] {100, 200}).cycle()).isEqualTo(3);
        assertThat(WeightedTable.of(List.of("a", "b", "c"), new int[] {100, 100, 100}).cycle()).isEqualTo(3);
    }

    @Test
    void neverPicksAnEntryOfWeightZero() {
        WeightedTable<String> table = WeightedTable.of(List.of("a", "b", "c", "d"), new int[] {0, 5, 0, 2});

        assertThat(table.entries()).containsExactly("b", "d");
        assertThat(picks(table, 0, 70)).containsOnly("b", "d");
    }

    @Test
    void anEmptyOrAllZeroTablePicksNull() {
        assertThat(WeightedTable.of(List.of(), new int[0]).pick(3)).isNull();
        WeightedTable<String> zero = WeightedTable.of(List.of("a", "b"), new int[] {0, 0});
        assertThat(zero.isEmpty()).isTrue();
        assertThat(zero.pick(0)).isNull();
        assertThat(zero.cycle()).isZero();
    }

    @Test
    void refusesNegativeWeightsAndMismatchedSizes() {
        assertThatThrownBy(() -> WeightedTable.of(List.of("a"), new int[] {-1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight of a: -1");
        assertThatThrownBy(() -> WeightedTable.of(List.of("a"), new int[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cyclesTooLongToStoreAreStillExactAndInterleaved() {
        List<String> names = new ArrayList<>();
        int[] weights = new int[10];
        for (int i = 0; i < weights.length; i++) {
            names.add("e" + i);
            weights[i] = 10_000 - i;
        }
        WeightedTable<String> table = WeightedTable.of(names, weights);
        long cycle = table.cycle();
        assertThat(cycle).isGreaterThan(WeightedTable.MAX_SEQUENCE);

        long[] counts = new long[weights.length];
        int longestRun = 0;
        int run = 0;
        String previous = null;
        for (long t = 0; t < cycle; t++) {
            String e = table.pick(t);
            counts[names.indexOf(e)]++;
            run = e.equals(previous) ? run + 1 : 1;
            longestRun = Math.max(longestRun, run);
            previous = e;
        }
        for (int i = 0; i < weights.length; i++) {
            assertThat(counts[i]).as("e%d", i).isEqualTo(weights[i]);
        }
        // Each entry has a tenth of the traffic: a cumulative walk without the stride would give runs of 10,000.
        assertThat(longestRun).isLessThanOrEqualTo(3);
    }

    @Test
    void acceptsAnyTicketIncludingNegativeOnes() {
        WeightedTable<String> table = WeightedTable.of(List.of("a", "b", "c"), new int[] {5, 1, 1});

        assertThat(table.pick(-1)).isEqualTo(table.pick(6));
        assertThat(table.pick(Long.MAX_VALUE)).isEqualTo(table.pick(Long.MAX_VALUE % 7));
    }

    private static List<String> picks(WeightedTable<String> table, long from, int count) {
        List<String> out = new ArrayList<>();
        for (long t = from; t < from + count; t++) {
            out.add(table.pick(t));
        }
        return out;
    }
}
