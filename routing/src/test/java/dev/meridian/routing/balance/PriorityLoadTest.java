package dev.meridian.routing.balance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PriorityLoadTest {

    @Test
    void healthIsTheOverprovisionedHealthyShareCappedAt100() {
        assertThat(PriorityLoad.health(72, 100, 1.4)).isEqualTo(100);
        assertThat(PriorityLoad.health(50, 100, 1.4)).isEqualTo(70);
        assertThat(PriorityLoad.health(1, 2, 1.4)).isEqualTo(70);
        assertThat(PriorityLoad.health(0, 100, 1.4)).isZero();
        assertThat(PriorityLoad.health(50, 100, 1.0)).isEqualTo(50);
    }

    @Test
    void aHealthyEnoughFirstLevelTakesEverything() {
        assertThat(PriorityLoad.distribute(new int[] {100, 100})).containsExactly(100, 0);
    }

    @Test
    void aHalfHealthyFirstLevelSpillsThirtyPercent() {
        assertThat(PriorityLoad.distribute(new int[] {70, 100})).containsExactly(70, 30);
    }

    @Test
    void aFailedFirstLevelSendsEverythingOn() {
        assertThat(PriorityLoad.distribute(new int[] {0, 100, 100})).containsExactly(0, 100, 0);
    }

    @Test
    void loadCascadesOverSeveralLevels() {
        assertThat(PriorityLoad.distribute(new int[] {40, 35, 100})).containsExactly(40, 35, 25);
    }

    @Test
    void sharesAreScaledUpWhenTheTotalHealthIsUnder100() {
        assertThat(PriorityLoad.distribute(new int[] {35})).containsExactly(100);
        assertThat(PriorityLoad.distribute(new int[] {20, 20})).containsExactly(50, 50);
        assertThat(PriorityLoad.distribute(new int[] {10, 20})).containsExactly(34, 66);
    }

    @Test
    void noHealthAnywhereIsNoLoad() {
        assertThat(PriorityLoad.distribute(new int[] {0, 0})).containsExactly(0, 0);
    }
}
