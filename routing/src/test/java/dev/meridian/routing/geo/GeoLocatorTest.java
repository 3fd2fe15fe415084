package dev.meridian.routing.geo;

import static dev.meridian.routing.geo.CidrTableTest.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.config.AdminConfig;
import dev.meridian.config.GeoCidr;
import dev.meridian.config.GeoConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.RegionConfig;
import dev.meridian.config.ServerConfig;
import dev.meridian.routing.HeaderLookup;
import dev.meridian.routing.RoutingTable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GeoLocatorTest {
    static final String HEADER = "x-client-location";
    static final List<RegionConfig> REGIONS = List.of(
            new RegionConfig("eu-west", "EU", 53.35, -6.26),
            new RegionConfig("us-east", "US", 38.9, -77.04),
            new RegionConfig("uk-south", "UK", 51.51, -0.13));

    private static final byte[] CDN = ip("203.0.113.7");
    private static final byte[] CDN_V6 = ip("2001:db8:cd0::9");
    /** Inside the CIDR table, not a trusted source. */
    private static final byte[] OFFICE = ip("198.51.100.40");
    private static final byte[] NOWHERE = ip("192.0.2.1");

    static GeoCidr region(String cidr, String region) {
        return new GeoCidr(cidr, region, null, null, Double.NaN, Double.NaN);
    }

    static GeoCidr country(String cidr, String country, String jurisdiction, double lat, double lon) {
        return new GeoCidr(cidr, null, country, jurisdiction, lat, lon);
    }

    static MeridianConfig config(GeoConfig geo) {
        return new MeridianConfig("<test>", List.of(), AdminConfig.DEFAULT, ServerConfig.DEFAULT, REGIONS, List.of(),
                List.of(), geo);
    }

    private static GeoLocator locator() {
        return GeoLocator.of(config(new GeoConfig(HEADER, List.of("203.0.113.0/24", "2001:db8:cd0::/48"), List.of(
                region("198.51.100.0/24", "us-east"),
                country("198.51.100.16/28", "CH", null, 47.37, 8.54),
                country("100.64.0.0/10", "DE", null, Double.NaN, Double.NaN),
                country("100.64.0.0/16", "NO", "EU", Double.NaN, Double.NaN),
                region("2001:db8:e0::/48", "eu-west"),
                region("203.0.113.0/24", "uk-south")), null)));
    }

    private final GeoLocator locator = locator();

    private ClientLocation region(String name) {
        return locator.locate(CDN, name);
    }

    @Test
    void aTrustedPeerStatesARegion() {
        ClientLocation eu = locator.locate(CDN, "eu-west");
        assertThat(eu.country()).isNull();
        assertThat(eu.jurisdiction()).isEqualTo("EU");
        assertThat(eu.latitude()).isEqualTo(53.35);
        assertThat(eu.longitude()).isEqualTo(-6.26);
        // Shared: no allocation per request.
        assertThat(locator.locate(CDN, "eu-west")).isSameAs(eu);
        assertThat(locator.locate(CDN_V6, " eu-west ")).isSameAs(eu);
    }

    @Test
    void anUntrustedPeersHeaderIsIgnored() {
        ClientLocation office = locator.locate(OFFICE, "eu-west");
        assertThat(office).isSameAs(locator.locateAddress(OFFICE));
        assertThat(office.jurisdiction()).isEqualTo("US");
        assertThat(locator.locate(NOWHERE, "eu-west")).isNull();
        assertThat(locator.trusts(OFFICE)).isFalse();
        assertThat(locator.trusts(CDN)).isTrue();
        assertThat(locator.trusts(ip("::ffff:203.0.113.7"))).isTrue();
    }

    @Test
    void withoutAHeaderNameNoPeerIsTrusted() {
        GeoLocator noHeader = GeoLocator.of(config(new GeoConfig(null, List.of("0.0.0.0/0"), List.of(), null)));
        assertThat(noHeader.trusts(CDN)).isFalse();
        assertThat(noHeader.locate(CDN, "eu-west")).isNull();
    }

    @Test
    void aTrustedSourceNeedsNoHeaderName() {
        GeoLocator sourcesOnly = GeoLocator.of(config(new GeoConfig(null, List.of("203.0.113.0/24"), List.of(),
                null)));
        assertThat(sourcesOnly.isTrustedSource(CDN)).isTrue();
        assertThat(sourcesOnly.isTrustedSource(ip("::ffff:203.0.113.7"))).isTrue();
        assertThat(sourcesOnly.isTrustedSource(OFFICE)).isFalse();
        assertThat(sourcesOnly.trusts(CDN)).isFalse();
        assertThat(locator.isTrustedSource(CDN_V6)).isTrue();
        assertThat(GeoLocator.NONE.isTrustedSource(CDN)).isFalse();
    }

    @Test
    void withoutTrustedSourcesNoPeerIsTrusted() {
        GeoLocator nobody = GeoLocator.of(config(new GeoConfig(HEADER, List.of(), List.of(), null)));
        assertThat(nobody.locate(CDN, "eu-west")).isNull();
    }

    @Test
    void aTrustedPeerStatesACountry() {
        ClientLocation de = locator.locate(CDN, "DE");
        assertThat(de.country()).isEqualTo("DE");
        assertThat(de.jurisdiction()).isEqualTo("EU");
        assertThat(de.hasCoordinates()).isFalse();
        assertThat(locator.locate(CDN, "de")).isSameAs(de);
        assertThat(locator.locate(CDN, "GB").jurisdiction()).isEqualTo("UK");
        assertThat(locator.locate(CDN, "US").jurisdiction()).isEqualTo("US");
    }

    @Test
    void aTrustedPeerStatesPairs() {
        ClientLocation frankfurt = locator.locate(CDN, "country=DE; lat=50.11; lon=8.68");
        assertThat(frankfurt.country()).isEqualTo("DE");
        assertThat(frankfurt.jurisdiction()).isEqualTo("EU");
        assertThat(frankfurt.latitude()).isEqualTo(50.11);
        assertThat(frankfurt.longitude()).isEqualTo(8.68);

        // Reduced to a shared form: a region alone, a country alone.
        assertThat(locator.locate(CDN, "region=us-east")).isSameAs(region("us-east"));
        assertThat(locator.locate(CDN, "Country=de;")).isSameAs(locator.locate(CDN, "DE"));

        // The country's jurisdiction beats the region's; the region gives coordinates.
        ClientLocation britonInDublin = locator.locate(CDN, "region=eu-west;country=GB");
        assertThat(britonInDublin.jurisdiction()).isEqualTo("UK");
        assertThat(britonInDublin.latitude()).isEqualTo(53.35);

        // An explicit jurisdiction beats both.
        ClientLocation stated = locator.locate(CDN, "jurisdiction=eu; lat=-33.9; lon=+18.4");
        assertThat(stated.country()).isNull();
        assertThat(stated.jurisdiction()).isEqualTo("EU");
        assertThat(stated.latitude()).isEqualTo(-33.9);
        assertThat(stated.longitude()).isEqualTo(18.4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "narnia", "XX", "UK", "D", "country=ZZ", "region=nowhere", "lat=50",
        "lon=8", "lat=abc;lon=1", "lat=91;lon=0", "lat=0;lon=181", "lat=NaN;lon=1", "lat=1e3;lon=1",
        "lat=0x1p3;lon=1", "lat=.;lon=1", "country=DE;country=FR", "colour=blue", "country=DE;colour=blue",
        "country=", "=DE", "country", "jurisdiction=E", "jurisdiction=E1", "country=DE lat=1", ";;"})
    void aMalformedHeaderFallsThroughToTheTable(String value) {
        // The CDN's own address is in the table as uk-south: what a malformed header leaves.
        assertThat(locator.locate(CDN, value)).isSameAs(region("uk-south")).isSameAs(locator.locateAddress(CDN));
    }

    @Test
    void anOverlongHeaderIsIgnored() {
        assertThat(locator.locate(CDN, "country=DE;" + " ".repeat(300))).isSameAs(locator.locateAddress(CDN));
    }

    @Test
    void theTableTakesTheLongestPrefix() {
        ClientLocation office = locator.locateAddress(OFFICE);
        assertThat(office).isSameAs(region("us-east"));
        assertThat(locator.locateAddress(ip("198.51.100.255"))).isSameAs(office);
        ClientLocation inSlash28 = locator.locateAddress(ip("198.51.100.17"));
        assertThat(inSlash28.country()).isEqualTo("CH");
        assertThat(inSlash28.jurisdiction()).isEqualTo("CH");
        assertThat(inSlash28.latitude()).isEqualTo(47.37);
        // Built once: every address of the entry gets the same instance.
        assertThat(locator.locateAddress(ip("198.51.100.30"))).isSameAs(inSlash28);
    }

    @Test
    void aCountryEntryTakesItsJurisdictionGivenOrDefault() {
        ClientLocation de = locator.locateAddress(ip("100.65.0.1"));
        assertThat(de.country()).isEqualTo("DE");
        assertThat(de.jurisdiction()).isEqualTo("EU");
        assertThat(de).isSameAs(locator.locate(CDN, "DE"));
        ClientLocation norwayAsEu = locator.locateAddress(ip("100.64.3.4"));
        assertThat(norwayAsEu.country()).isEqualTo("NO");
        assertThat(norwayAsEu.jurisdiction()).isEqualTo("EU");
    }

    @Test
    void theOperatorsTableMayUseAnyTwoLetterCode() {
        // The header refuses XX (a CDN's "unknown"); the operator's own table may mean something by it.
        GeoLocator own = GeoLocator.of(config(new GeoConfig(HEADER, List.of("203.0.113.0/24"),
                List.of(country("10.0.0.0/8", "XX", null, Double.NaN, Double.NaN)), null)));
        ClientLocation xx = own.locateAddress(ip("10.1.2.3"));
        assertThat(xx.country()).isEqualTo("XX");
        assertThat(xx.jurisdiction()).isEqualTo("XX");
        assertThat(own.locate(CDN, "XX")).isNull();
    }

    @Test
    void ipv6AndMappedAddressesUseTheTable() {
        assertThat(locator.locateAddress(ip("2001:db8:e0:1::1"))).isSameAs(region("eu-west"));
        assertThat(locator.locateAddress(ip("::ffff:198.51.100.40"))).isSameAs(region("us-east"));
        assertThat(locator.locateAddress(ip("2001:db8:e1::1"))).isNull();
    }

    @Test
    void anAddressNothingKnowsIsUnknown() {
        assertThat(locator.locateAddress(NOWHERE)).isNull();
        assertThat(locator.locate(NOWHERE, (CharSequence) null)).isNull();
        assertThat(GeoLocator.NONE.locate(CDN, "eu-west")).isNull();
    }

    @Test
    void theHeaderIsReadOnlyFromTrustedPeers() {
        List<String> asked = new ArrayList<>();
        HeaderLookup headers = name -> {
            asked.add(name);
            return "eu-west";
        };
        assertThat(locator.locate(OFFICE, headers)).isSameAs(region("us-east"));
        assertThat(asked).isEmpty();
        assertThat(locator.locate(CDN, headers)).isSameAs(region("eu-west"));
        assertThat(asked).containsExactly(HEADER);
        assertThat(locator.locate(CDN, HeaderLookup.NONE)).isSameAs(region("uk-south"));
    }

    @Test
    void aBrokenGeoSectionIsRefusedWithItsEntry() {
        assertThatThrownBy(() -> GeoLocator.of(config(new GeoConfig(HEADER, List.of("203.0.113.0/33"), List.of(),
                null)))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("203.0.113.0/33");
        assertThatThrownBy(() -> GeoLocator.of(config(new GeoConfig(null, List.of(),
                List.of(region("10.0.0.0/8", "mars")), null))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.0/8")
                .hasMessageContaining("region 'mars' is not declared");
        assertThatThrownBy(() -> GeoLocator.of(config(new GeoConfig(null, List.of(),
                List.of(region("10.0.0.0/8", "us-east"), country("10.0.0.0/8", "DE", null, 1, 2)), null))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("each prefix once");
        assertThatThrownBy(() -> GeoLocator.of(config(new GeoConfig(null, List.of(),
                List.of(country("10.0.0.0/8", "Z9", null, Double.NaN, Double.NaN)), null))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("country 'Z9'");
        assertThatThrownBy(() -> GeoLocator.of(config(new GeoConfig(null, List.of(),
                List.of(country("10.0.0.0/8", "DE", null, 50, Double.NaN)), null))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latitude and longitude");
    }

    @Test
    void theRoutingTableCarriesTheLocatorAndAReloadSwapsIt() {
        MeridianConfig first = config(new GeoConfig(null, List.of(), List.of(region("10.0.0.0/8", "eu-west")),
                null));
        RoutingTable table = RoutingTable.build(first, null);
        assertThat(table.locator().locateAddress(ip("10.1.1.1")).jurisdiction()).isEqualTo("EU");
        RoutingTable next = RoutingTable.build(config(new GeoConfig(null, List.of(),
                List.of(region("10.0.0.0/8", "us-east")), null)), table);
        assertThat(next.locator().locateAddress(ip("10.1.1.1")).jurisdiction()).isEqualTo("US");
        assertThat(table.locator().locateAddress(ip("10.1.1.1")).jurisdiction()).isEqualTo("EU");
        assertThat(RoutingTable.build(config(null), null).locator().locateAddress(ip("10.1.1.1"))).isNull();
    }
}
