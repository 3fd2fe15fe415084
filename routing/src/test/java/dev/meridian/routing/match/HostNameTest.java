package dev.meridian.routing.match;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;

class HostNameTest {

    @Example
    void dropsThePortAndOneTrailingDot() {
        assertThat(HostName.end("api.example.com")).isEqualTo(15);
        assertThat(HostName.end("api.example.com:8443")).isEqualTo(15);
        assertThat(HostName.end("api.example.com:")).isEqualTo(15);
        assertThat(HostName.end("api.example.com.")).isEqualTo(15);
        assertThat(HostName.end("api.example.com.:80")).isEqualTo(15);
        assertThat(HostName.end("[::1]:8080")).isEqualTo(5);
        assertThat(HostName.end("[::1]")).isEqualTo(5);
        assertThat(HostName.end("10.0.0.1:80")).isEqualTo(8);
        assertThat(HostName.end("")).isZero();
        assertThat(HostName.normalize("API.Example.COM.")).isEqualTo("api.example.com");
    }

    /** The one-pass form the matcher uses must agree with the plain definitions it stands for. */
    @Property(tries = 2000)
    void onePassEndAndHashAgreeWithThePlainDefinitions(
            @ForAll @StringLength(max = 12) @Chars({'a', 'B', '.', ':', '[', ']', '1', 'z', 'Z'}) String host) {
        long packed = HostName.endAndForwardHash(host);
        int end = HostName.end(host);

        assertThat((int) (packed >>> 32)).isEqualTo(end);
        assertThat((int) packed).isEqualTo(Ascii.forwardHash(host, 0, end));
    }

    @Property(tries = 1000)
    void anyPortIsDropped(@ForAll @StringLength(max = 20) @CharRange(from = 'a', to = 'z') @Chars({'.', '-'})
                          String name,
                          @ForAll @StringLength(max = 5) @NumericChars String port) {
        int expected = name.endsWith(".") ? name.length() - 1 : name.length();

        assertThat(HostName.end(name + ":" + port)).isEqualTo(expected);
        assertThat(HostName.end(name)).isEqualTo(expected);
    }

    @Property(tries = 1000)
    void hashesIgnoreAsciiCase(@ForAll @StringLength(max = 30) @CharRange(from = ' ', to = '~') String host) {
        String upper = host.toUpperCase(Locale.ROOT);
        String lower = host.toLowerCase(Locale.ROOT);

        assertThat(Ascii.forwardHash(upper, 0, upper.length())).isEqualTo(Ascii.forwardHash(lower, 0, lower.length()));
        assertThat(Ascii.suffixHash(upper, 0, upper.length())).isEqualTo(Ascii.suffixHash(lower, 0, lower.length()));
        assertThat(Ascii.equalsLower(lower, upper, 0, upper.length())).isTrue();
    }
}
