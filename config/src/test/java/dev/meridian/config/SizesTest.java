package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @ParameterizedTest
    @CsvSource({"512, 512", "512B, 512", "8KiB, 8192", "64KiB, 65536", "1MiB, 1048576", "0, 0"})
    void readsBytesAndBinaryUnits(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "8KB", "1MB", "8 KiB", "8kib", "1.5MiB", "-1", "KiB", "1GiB"})
    void refusesDecimalUnitsAndOtherForms(String text) {
        assertThat(Sizes.parse(text)).isEqualTo(-1);
    }
}
