package dev.meridian.routing.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every time below is a fake clock reading in nanoseconds; nothing waits. */
class PeakEwmaTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private final PeakEwma ewma = new PeakEwma();

    @Test
    void aNewEndpointStartsAt30MillisecondsAndDoesNotDecayBeforeItsFirstAnswer() {
        assertThat(ewma.estimateAt(0)).isEqualTo(30.0 * MS);
        assertThat(ewma.estimateAt(3_600 * S)).isEqualTo(30.0 * MS);
    }

    @Test
    void theFirstAnswerReplacesTheInitialGuessEvenWhenLower() {
        ewma.observe(5 * MS, 7 * S);

        assertThat(ewma.estimateAt(7 * S)).isEqualTo(5.0 * MS);
    }

    @Test
    void aPeakReplacesTheEstimateAtOnce() {
        ewma.observe(10 * MS, 0);
        ewma.observe(50 * MS, S);

        assertThat(ewma.estimateAt(S)).isEqualTo(50.0 * MS);
    }

    @Test
    void aLowerSampleBlendsInByHowMuchTimePassed() {
        ewma.observe(100 * MS, 0);
        ewma.observe(10 * MS, S);

        double w = Math.exp(-0.1);
        assertThat(ewma.estimateAt(S)).isCloseTo(100.0 * MS * w + 10.0 * MS * (1 - w), within(1.0));
    }

    @Test
    void aLowerSampleAtTheSameInstantChangesNothing() {
        ewma.observe(100 * MS, 0);
        ewma.observe(10 * MS, 0);

        assertThat(ewma.estimateAt(0)).isEqualTo(100.0 * MS);
    }

    @Test
    void theEstimateDecaysWithTimeConstantTenSeconds() {
        ewma.observe(100 * MS, 0);

        assertThat(ewma.estimateAt(10 * S)).isCloseTo(100.0 * MS / Math.E, within(1.0));
        assertThat(ewma.estimateAt(20 * S)).isCloseTo(100.0 * MS / (Math.E * Math.E), within(1.0));
    }

    @Test
    void aClockReadingFromBeforeTheLastSampleDoesNotInflateTheEstimate() {
        ewma.observe(100 * MS, 5 * S);

        assertThat(ewma.estimateAt(4 * S)).isEqualTo(100.0 * MS);
    }

    @Test
    void tauAndInitialAreConfigurable() {
        PeakEwma fast = new PeakEwma(Duration.ofSeconds(1), Duration.ofMillis(2));
        assertThat(fast.estimateAt(0)).isEqualTo(2.0 * MS);
        fast.observe(10 * MS, 0);
        assertThat(fast.estimateAt(S)).isCloseTo(10.0 * MS / Math.E, within(1.0));
        assertThatThrownBy(() -> new PeakEwma(Duration.ZERO, Duration.ZERO)).hasMessageContaining("tau");
    }
}
