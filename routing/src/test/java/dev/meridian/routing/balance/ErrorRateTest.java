package dev.meridian.routing.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every time below is a fake clock reading in nanoseconds; nothing waits. */
class ErrorRateTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private final ErrorRate rate = new ErrorRate();

    @Test
    void noFailureIsZero() {
        assertThat(rate.percentAt(0)).isZero();
        for (int i = 0; i < 1_000; i++) {
            rate.record(false, i * MS);
        }
        assertThat(rate.percentAt(S)).isZero();
    }

    @Test
    void aSteadyShareOfFailuresReadsAsThatPercentage() {
        for (int i = 0; i < 20_000; i++) {
            rate.record(i % 10 == 0, i * MS);
        }

        assertThat(rate.percentAt(20 * S)).isCloseTo(10, within(1.0));
    }

    @Test
    void theRateDoesNotDependOnTraffic() {
        ErrorRate quiet = new ErrorRate();
        for (int i = 0; i < 200; i++) {
            quiet.record(i % 4 == 0, i * 100 * MS);   // 10 a second
            for (int j = 0; j < 100; j++) {
                rate.record((i * 100 + j) % 4 == 0, (i * 100 + j) * MS);   // 1,000 a second
            }
        }

        assertThat(quiet.percentAt(20 * S)).isCloseTo(25, within(5.0));
        assertThat(rate.percentAt(20 * S)).isCloseTo(25, within(1.0));
    }

    @Test
    void oneFailureOnAQuietEndpointIsNotTheWholeStory() {
        rate.record(true, 0);

        assertThat(rate.percentAt(0)).isCloseTo(50, within(0.01));
    }

    @Test
    void anEndpointThatStopsFailingIsForgivenWithTime() {
        for (int i = 0; i < 1_000; i++) {
            rate.record(true, i * MS);
        }
        double failing = rate.percentAt(S);

        assertThat(failing).isGreaterThan(99);
        assertThat(rate.percentAt(6 * S)).as("no traffic: the pseudo-success wins").isLessThan(failing);
        assertThat(rate.percentAt(60 * S)).isLessThan(1);
        for (int i = 0; i < 10_000; i++) {
            rate.record(false, S + i * MS);
        }
        assertThat(rate.percentAt(11 * S)).isLessThan(20);
    }

    @Test
    void aClockThatRunsBackwardDoesNotInflateTheRate() {
        rate.record(true, 10 * S);
        rate.record(false, 9 * S);

        assertThat(rate.percentAt(8 * S)).isBetween(0.0, 100.0);
    }

    @Test
    void tauMustBePositive() {
        assertThatThrownBy(() -> new ErrorRate(Duration.ZERO)).hasMessageContaining("tau");
    }
}
