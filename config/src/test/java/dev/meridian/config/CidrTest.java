package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
    @Test
    void clearsHostBitsAndKeepsTheFamily() {
        assertThat(Cidr.parse("10.1.2.3/16")).hasToString("10.1.0.0/16");
        assertThat(Cidr.parse("10.1.2.3/16").isIpv4()).isTrue();
        assertThat(Cidr.parse("2001:db8:ff::1/32")).hasToString("2001:db8:0:0:0:0:0:0/32");
        assertThat(Cidr.parse("::ffff:10.0.0.1/120").address()).hasSize(16);
        assertThat(Cidr.parse("192.0.2.7")).isEqualTo(Cidr.parse("192.0.2.7/32"));
        assertThat(Cidr.parse("0.0.0.0/0").prefixLength()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0/33", "::/129", "10.0.0/8", "example.com/8", "10.0.0.0/", "10.0.0.0/x",
            "10.0.0.0/-1", "fe80::1%eth0/64"})
    void rejectsWhatIsNotAPrefix(String text) {
        assertThat(Cidr.parse(text)).isNull();
    }
}
