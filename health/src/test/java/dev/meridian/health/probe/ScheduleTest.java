package dev.meridian.health.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.HealthCheckConfig;
import dev.meridian.config.StatusRange;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The arithmetic of when the next check runs, and how settings fall back to their defaults. */
class ScheduleTest {

    @Property
    void nextCheckIsOnePeriodPlusJitterAfterThePreviousStartAndNeverInThePast(
            @ForAll @LongRange(min = 0, max = 10_000_000_000L) long startedAt,
            @ForAll @LongRange(min = 0, max = 20_000_000_000L) long elapsed,
            @ForAll @LongRange(min = 50_000_000L, max = 5_000_000_000L) long period,
            @ForAll @LongRange(min = 0, max = 1_000_000_000L) long jitter) {
        long delay = EndpointCheck.delayNanos(startedAt, startedAt + elapsed, period, jitter);

        assertThat(delay).isBetween(0L, period + jitter);
        if (elapsed <= period) {
            assertThat(startedAt + elapsed + delay).isEqualTo(startedAt + period + jitter);
        }
    }

    @Test
    void defaultsFillWhatACodeBuiltConfigLeftOut() {
        var s = CheckSettings.of(new HealthCheckConfig(null, "get", null, " ", List.of(), "", null, null, null, 0, 0,
                null));

        assertThat(s.type()).isEqualTo(HealthCheckConfig.Type.HTTP);
        assertThat(s.method()).isEqualTo("GET");
        assertThat(s.path()).isEqualTo("/");
        assertThat(s.host()).isNull();
        assertThat(s.expectedText()).isEqualTo("200-399");
        assertThat(s.bodyContains()).isNull();
        assertThat(s.intervalNanos()).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(s.timeoutNanos()).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(s.jitterNanos()).isZero();
        assertThat(s.healthyThreshold()).isEqualTo(2);
        assertThat(s.unhealthyThreshold()).isEqualTo(2);
        assertThat(s.noTrafficIntervalNanos()).isZero();
    }

    @Test
    void intervalsNeverGoUnderTheMinimum() {
        var s = CheckSettings.of(HealthFixtures.http().timing(1, 100, 0).noTrafficInterval(10).build());

        assertThat(s.intervalNanos()).isEqualTo(HealthCheckConfig.MIN_INTERVAL.toNanos());
        assertThat(s.noTrafficIntervalNanos()).as("never faster than the interval").isEqualTo(s.intervalNanos());
    }

    @Test
    void singleStatusesReadAsWritten() {
        var s = CheckSettings.of(HealthFixtures.http()
                .expect(new StatusRange(200, 204), new StatusRange(301, 301)).build());

        assertThat(s.expectedText()).isEqualTo("200-204, 301");
        assertThat(s.statusExpected(301)).isTrue();
        assertThat(s.statusExpected(302)).isFalse();
    }

    @Test
    void timeoutsReadInMilliseconds() {
        assertThat(ProbeAttempt.formatNanos(Duration.ofMillis(500).toNanos())).isEqualTo("500 ms");
        assertThat(ProbeAttempt.formatNanos(1_500_000L + 250)).isEqualTo("1.500 ms");
    }
}
