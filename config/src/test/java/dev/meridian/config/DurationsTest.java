package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "250ms, PT0.25S",
        "2s, PT2S",
        "1m, PT1M",
        "1h, PT1H",
        "1m30s, PT1M30S",
        "1h2m3s4ms, PT1H2M3.004S",
        "90m, PT1H30M",
        "0s, PT0S",
    })
    void readsUnitsAndCombinations(String text, Duration expected) {
        assertThat(Durations.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5 s", "5sec", "1s1m", "1.5s", "-1s", "1d", "5S", "ms", "1m1m", "1234567890s"})
    void refusesAnythingElse(String text) {
        assertThat(Durations.parse(text)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "30", "1.5", "-2"})
    void recognisesBareNumbersForTheirOwnHint(String text) {
        assertThat(Durations.isBareNumber(text)).isTrue();
    }

    @Property
    void formatReadsBackToTheSameDuration(@ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long millis) {
        Duration d = Duration.ofMillis(millis);
        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
}
