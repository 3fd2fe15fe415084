package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.routing.HeaderLookup;
import dev.meridian.routing.geo.GeoLocator;
import dev.meridian.testing.TestConfigs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionLocationTest {
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    private static GeoLocator locator(String country, String trusted) {
        return GeoLocator.of(TestConfigs.parse("""
                geo:
                  trusted_header: x-loc
                  trusted_sources: [%s]
                  cidrs:
                    - {cidr: 127.0.0.0/8, country: %s}
                clusters:
                  - name: app
                    endpoints:
                      - {id: a, address: "127.0.0.1:9", region: local}
                routes:
                  - cluster: app
                """.formatted(trusted, country)));
    }

    @Test
    void aReloadedLocatorIsAskedAgain() {
        ConnectionLocation connection = new ConnectionLocation(LOOPBACK);
        GeoLocator before = locator("DE", "10.0.0.0/8");
        assertThat(connection.locate(before, HeaderLookup.NONE).country()).isEqualTo("DE");
        GeoLocator after = locator("FR", "127.0.0.0/8");
        assertThat(connection.locate(after, HeaderLookup.NONE).country()).isEqualTo("FR");
        assertThat(connection.locate(after, name -> "JP").country()).isEqualTo("JP");
    }

    @Test
    void aTrustedSourceIsKnownWithoutATrustedHeaderAndFollowsAReload() {
        ConnectionLocation connection = new ConnectionLocation(LOOPBACK);
        GeoLocator sourcesOnly = GeoLocator.of(TestConfigs.parse("""
                geo:
                  trusted_sources: [127.0.0.0/8]
                clusters:
                  - name: app
                    endpoints:
                      - {id: a, address: "127.0.0.1:9", region: local}
                routes:
                  - cluster: app
                """));
        connection.locate(sourcesOnly, HeaderLookup.NONE);
        assertThat(connection.trustedSource()).isTrue();
        assertThat(connection.trustedPeer()).isFalse();
        connection.locate(locator("DE", "10.0.0.0/8"), HeaderLookup.NONE);
        assertThat(connection.trustedSource()).isFalse();
    }

    @Test
    void anUntrustedConnectionNeverReadsTheHeader() {
        ConnectionLocation connection = new ConnectionLocation(LOOPBACK);
        GeoLocator locator = locator("DE", "10.0.0.0/8");
        List<String> asked = new ArrayList<>();
        HeaderLookup headers = name -> {
            asked.add(name);
            return "JP";
        };
        assertThat(connection.locate(locator, headers).country()).isEqualTo("DE");
        assertThat(connection.locate(locator, headers).country()).isEqualTo("DE");
        assertThat(asked).isEmpty();
    }
}
