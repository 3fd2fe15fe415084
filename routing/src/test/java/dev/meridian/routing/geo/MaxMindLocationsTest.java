package dev.meridian.routing.geo;

import static dev.meridian.routing.geo.CidrTableTest.ip;
import static dev.meridian.routing.geo.GeoLocatorTest.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.config.GeoConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real MaxMind DB file, written by {@link MmdbWriter}, read through the GeoIP2 library. */
class MaxMindLocationsTest {
    @TempDir
    Path dir;

    private Path cityDatabase() throws IOException {
        return new MmdbWriter("GeoLite2-City")
                .network("81.2.69.0/24", MmdbWriter.city("GB", 51.5142, -0.0931))
                .network("2001:db8:1::/48", MmdbWriter.city("DE", 50.11, 8.68))
                .writeTo(dir.resolve("city.mmdb"));
    }

    private static GeoLocator locator(Path database, GeoLocator previous, GeoConfig... cidrs) {
        GeoConfig geo = new GeoConfig(null, List.of(),
                cidrs.length == 0 ? List.of() : cidrs[0].cidrs(), database.toString());
        return GeoLocator.of(config(geo), previous);
    }

    @Test
    void aConfiguredDatabaseLocatesIpv4AndIpv6Addresses() throws IOException {
        GeoLocator locator = locator(cityDatabase(), null);
        ClientLocation london = locator.locateAddress(ip("81.2.69.160"));
        assertThat(london.country()).isEqualTo("GB");
        assertThat(london.jurisdiction()).isEqualTo("UK");
        assertThat(london.latitude()).isEqualTo(51.5142);
        assertThat(london.longitude()).isEqualTo(-0.0931);

        ClientLocation frankfurt = locator.locateAddress(ip("2001:db8:1:ff::1"));
        assertThat(frankfurt.country()).isEqualTo("DE");
        assertThat(frankfurt.jurisdiction()).isEqualTo("EU");
        assertThat(frankfurt.latitude()).isEqualTo(50.11);

        assertThat(locator.locateAddress(ip("81.2.70.1"))).isNull();
        assertThat(locator.locateAddress(ip("2001:db8:2::1"))).isNull();
        assertThat(locator.hasDatabase()).isTrue();
    }

    @Test
    void theCacheServesRepeatsWhicheverWayTheAddressIsSpelled() throws IOException {
        GeoLocator locator = locator(cityDatabase(), null);
        MaxMindLocations db = locator.maxmind();
        ClientLocation first = locator.locateAddress(ip("81.2.69.160"));
        assertThat(db.databaseLookups()).isEqualTo(1);
        assertThat(locator.locateAddress(ip("81.2.69.160"))).isSameAs(first);
        assertThat(locator.locateAddress(ip("::ffff:81.2.69.160"))).isSameAs(first);
        assertThat(db.databaseLookups()).isEqualTo(1);
        // Unknown answers are cached too.
        assertThat(locator.locateAddress(ip("192.0.2.1"))).isNull();
        assertThat(locator.locateAddress(ip("192.0.2.1"))).isNull();
        assertThat(db.databaseLookups()).isEqualTo(2);
        assertThat(db.errors()).isZero();
    }

    @Test
    void lookupsNeedNoFileOnceBuilt() throws IOException {
        Path file = cityDatabase();
        GeoLocator locator = locator(file, null);
        Files.delete(file);
        assertThat(locator.locateAddress(ip("81.2.69.1")).country()).isEqualTo("GB");
    }

    @Test
    void theCidrTableComesBeforeTheDatabase() throws IOException {
        GeoConfig table = new GeoConfig(null, List.of(), List.of(GeoLocatorTest.region("81.2.69.128/25", "eu-west")),
                null);
        GeoLocator locator = locator(cityDatabase(), null, table);
        assertThat(locator.locateAddress(ip("81.2.69.200")).jurisdiction()).isEqualTo("EU");
        assertThat(locator.locateAddress(ip("81.2.69.100")).jurisdiction()).isEqualTo("UK");
    }

    @Test
    void aCountryDatabaseGivesSharedCountryLocations() throws IOException {
        Path file = new MmdbWriter("GeoIP2-Country")
                .network("81.2.69.0/24", MmdbWriter.country("FR"))
                .writeTo(dir.resolve("country.mmdb"));
        GeoLocator locator = locator(file, null);
        ClientLocation fr = locator.locateAddress(ip("81.2.69.1"));
        assertThat(fr.country()).isEqualTo("FR");
        assertThat(fr.jurisdiction()).isEqualTo("EU");
        assertThat(fr.hasCoordinates()).isFalse();
        assertThat(locator.locateAddress(ip("81.2.69.2"))).isSameAs(fr);
    }

    @Test
    void aReloadOfTheSameFileKeepsTheDatabaseAndItsCache() throws IOException {
        Path file = cityDatabase();
        GeoLocator first = locator(file, null);
        GeoLocator second = locator(file, first);
        assertThat(second.maxmind()).isSameAs(first.maxmind());

        new MmdbWriter("GeoLite2-City")
                .network("81.2.69.0/24", MmdbWriter.city("IE", 53.35, -6.26))
                .network("10.0.0.0/8", MmdbWriter.city("US", 38.9, -77.04))
                .writeTo(file);
        GeoLocator third = locator(file, second);
        assertThat(third.maxmind()).isNotSameAs(second.maxmind());
        assertThat(third.locateAddress(ip("81.2.69.1")).country()).isEqualTo("IE");
    }

    @Test
    void aMissingOrForeignFileIsRefused() throws IOException {
        assertThatThrownBy(() -> locator(dir.resolve("absent.mmdb"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absent.mmdb");
        Path junk = Files.writeString(dir.resolve("junk.mmdb"), "not a database");
        assertThatThrownBy(() -> locator(junk, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a readable MaxMind database");
        Path asn = new MmdbWriter("GeoLite2-ASN").network("81.2.69.0/24", MmdbWriter.country("GB"))
                .writeTo(dir.resolve("asn.mmdb"));
        assertThatThrownBy(() -> locator(asn, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GeoLite2-ASN");
    }
}
