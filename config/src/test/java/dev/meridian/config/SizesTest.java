package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @ParameterizedTest
    @CsvSource({"512, 512", "512B, 512", "8KiB, 8192", "64KiB, 65536", "1MiB, 1048576", "0, 0",
        "1GiB, 1073741824", "9999999999GiB, 9223372036854775807"})
    void readsBytesAndBinaryUnits(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "8KB", "1MB", "8 KiB", "8kib", "1.5MiB", "-1", "KiB", "1GB", "1TiB"})
    void refusesDecimalUnitsAndOtherForms(String text) {
        assertThat(Sizes.parse(text)).isEqualTo(-1);
    }

    @ParameterizedTest
    @CsvSource({"240B/s, 240", "0B/s, 0", "1KiB/s, 1024", "240/s, 240"})
    void readsRatesPerSecond(String text, long bytesPerSecond) {
        assertThat(Sizes.parseRate(text)).isEqualTo(bytesPerSecond);
    }

    @ParameterizedTest
    @ValueSource(strings = {"240", "240B", "240B/m", "240 B/s", "/s", "1KB/s"})
    void refusesRatesWithoutPerSecond(String text) {
        assertThat(Sizes.parseRate(text)).isEqualTo(-1);
    }
}
