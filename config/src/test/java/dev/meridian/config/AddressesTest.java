package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "0.0.0.0", "255.255.255.255", "::", "::1", "fd00::10:1", "1:2:3:4:5:6:7:8",
        "::ffff:10.0.0.1", "1::", "localhost"})
    void bindAddresses(String s) {
        assertThat(Addresses.isBindAddress(s)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "127.0.0.256", "1.2.3", "01.2.3.4", "example.com", ":::", "1::2::3",
        "1:2:3:4:5:6:7:8:9", "12345::", "[::1]", "fe80::1%eth0", "::1.2.3", "g::1"})
    void notBindAddresses(String s) {
        assertThat(Addresses.isBindAddress(s)).isFalse();
    }

    @Test
    void splitsHostAndPort() {
        assertThat(Addresses.parseHostPort("10.0.0.1:80")).isEqualTo(new Addresses.HostPort("10.0.0.1", 80));
        assertThat(Addresses.parseHostPort("[::1]:9001")).isEqualTo(new Addresses.HostPort("::1", 9001));
        assertThat(Addresses.parseHostPort("api-1.internal:8443"))
                .isEqualTo(new Addresses.HostPort("api-1.internal", 8443));
        assertThat(Addresses.parseHostPort("h:99999")).isEqualTo(new Addresses.HostPort("h", 99999));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "::1:80", "[::1]", "[::1]80", "[10.0.0.1]:80", "host:", "host:http",
        "host:123456", "-bad.host:80", "under_score:80", "10.0.0.300:80", ":80"})
    void refusesMalformedHostPort(String s) {
        assertThat(Addresses.parseHostPort(s)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "*.example.com", "localhost", "10.0.0.1", "a-b.c"})
    void hostPatterns(String s) {
        assertThat(Addresses.isHostPattern(s)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "*", "*.", "api.*.com", "*example.com", "**.example.com", "example.com:80", "a..b",
        "example.com."})
    void notHostPatterns(String s) {
        assertThat(Addresses.isHostPattern(s)).isFalse();
    }
}
