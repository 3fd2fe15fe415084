package dev.meridian.routing;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The shedding ladder: lowest tier first, the critical tier never before the limit. */
class ShedLadderTest {

    @Test
    void inFlightThresholdsFollowTheLadder() {
        assertThat(ShedLadder.inFlightThresholds(1000)).containsExactly(1000, 980, 960, 930, 900);
        assertThat(ShedLadder.inFlightThresholds(1024)).containsExactly(1024, 1004, 984, 953, 922);
    }

    @Test
    void aSmallLimitShedsNothingBeforeTheLimitItself() {
        assertThat(ShedLadder.inFlightThresholds(2)).containsExactly(2, 2, 2, 2, 2);
        assertThat(ShedLadder.inFlightThresholds(10)).containsExactly(10, 10, 10, 10, 9);
        assertThat(ShedLadder.inFlightThresholds(1)).containsExactly(1, 1, 1, 1, 1);
    }

    @Property
    void lowerTiersAreNeverShedBeforeHigherOnes(@ForAll @IntRange(min = 1, max = 1_000_000) int max) {
        int[] at = ShedLadder.inFlightThresholds(max);
        assertThat(at[0]).isEqualTo(max);
        for (int tier = 1; tier < at.length; tier++) {
            assertThat(at[tier]).isBetween(1, at[tier - 1]);
        }
    }

    @Test
    void capacityShedsOnlyAsManyTiersAsTheShortfallNeeds() {
        double[] offered = {100, 100, 100, 100, 100};   // requests per second, per tier
        assertThat(ShedLadder.admittedTier(offered, 1000, 4)).isEqualTo(4);
        assertThat(ShedLadder.admittedTier(offered, 450, 4)).isEqualTo(3);   // tier 4's 100 rps do not fit
        assertThat(ShedLadder.admittedTier(offered, 250, 4)).isEqualTo(1);
        assertThat(ShedLadder.admittedTier(offered, 50, 4)).isZero();        // never below the critical tier
        assertThat(ShedLadder.admittedTier(offered, 0, 4)).isZero();
    }

    @Test
    void aTierWithNoTrafficDoesNotCostRoom() {
        double[] offered = {300, 0, 0, 0, 200};
        assertThat(ShedLadder.admittedTier(offered, 400, 4)).isEqualTo(3);
    }

    @Test
    void aShedTierReturnsOnlyWithTheRecoveryMargin() {
        double[] offered = {100, 100, 100, 100, 100};
        // 500 rps fit in 520, but tier 4 was shed: it needs 500 <= 0.9 x 520 = 468 to return.
        assertThat(ShedLadder.admittedTier(offered, 520, 3)).isEqualTo(3);
        assertThat(ShedLadder.admittedTier(offered, 560, 3)).isEqualTo(4);
        // A tier already served stays as long as it fits at all.
        assertThat(ShedLadder.admittedTier(offered, 500, 4)).isEqualTo(4);
    }

    @Property
    void moreCapacityNeverAdmitsFewerTiers(@ForAll @Size(5) double[] raw,
                                           @ForAll @DoubleRange(min = 0, max = 1000) double capacity,
                                           @ForAll @DoubleRange(min = 0, max = 1000) double extra,
                                           @ForAll @IntRange(min = 0, max = 4) int current) {
        double[] offered = new double[5];
        for (int i = 0; i < 5; i++) {
            offered[i] = Double.isFinite(raw[i]) ? Math.abs(raw[i]) % 1000 : 0;
        }
        int tier = ShedLadder.admittedTier(offered, capacity, current);
        assertThat(tier).isBetween(0, 4);
        assertThat(ShedLadder.admittedTier(offered, capacity + extra, current)).isGreaterThanOrEqualTo(tier);
    }
}
