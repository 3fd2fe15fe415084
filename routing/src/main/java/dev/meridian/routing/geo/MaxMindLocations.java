package dev.meridian.routing.geo;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.model.CountryResponse;
import com.maxmind.geoip2.record.Country;
import com.maxmind.geoip2.record.Location;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Client locations from a MaxMind GeoIP2 or GeoLite2 City or Country database. The whole file is read into memory
 * when the routing table is built ({@link Reader.FileMode#MEMORY}), so a lookup on an event loop touches no file; the
 * answer for each address is kept in a bounded cache, so a client's later connections skip the tree walk.
 *
 * <p>A reload that names the same, unchanged file keeps the previous instance, reader and cache included.
 */
final class MaxMindLocations {
    static final int DEFAULT_CACHE_SIZE = 65_536;
    /** Stands for "the database does not know this address" in the cache, which holds no nulls. */
    private static final ClientLocation UNKNOWN = new ClientLocation(null, null, Double.NaN, Double.NaN);

    private final String path;
    private final Object fileKey;
    private final DatabaseReader reader;
    private final boolean city;
    private final Cache<AddressKey, ClientLocation> cache;
    private final LongAdder databaseLookups = new LongAdder();
    private final LongAdder errors = new LongAdder();

    /** An address as 128 bits, IPv4 in its mapped form, so both spellings of one client share an entry. */
    private record AddressKey(long high, long low) {
    }

    private MaxMindLocations(String path, Object fileKey, DatabaseReader reader, boolean city, int cacheSize) {
        this.path = path;
        this.fileKey = fileKey;
        this.reader = reader;
        this.city = city;
        // getIfPresent/put rather than get(key, loader): a loader runs under a map lock that another event loop
        // asking for the same key would wait on. Two loops may both read the database once; that is harmless.
        this.cache = Caffeine.newBuilder().maximumSize(cacheSize).build();
    }

    /**
     * Opens the database, or returns {@code previous} when it is the same file, unchanged. Reads the whole file:
     * never call on an event loop.
     *
     * @throws IllegalArgumentException when the file cannot be read or is not a City or Country database
     */
    static MaxMindLocations open(String path, MaxMindLocations previous, int cacheSize) {
        Path file = Path.of(path);
        Object key;
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            key = List.of(attrs.size(), attrs.lastModifiedTime(),
                    attrs.fileKey() == null ? "" : attrs.fileKey());
        } catch (IOException e) {
            throw new IllegalArgumentException("geo.maxmind_database: cannot read " + path + ": " + e, e);
        }
        if (previous != null && previous.path.equals(path) && previous.fileKey.equals(key)) {
            return previous;
        }
        DatabaseReader reader;
        try {
            reader = new DatabaseReader.Builder(new File(path)).fileMode(Reader.FileMode.MEMORY).build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("geo.maxmind_database: " + path
                    + " is not a readable MaxMind database: " + e.getMessage(), e);
        }
        String type = reader.metadata().databaseType();
        boolean city = type.contains("City") || type.contains("Enterprise");
        if (!city && !type.contains("Country")) {
            throw new IllegalArgumentException("geo.maxmind_database: " + path + " is a " + type
                    + " database (expected: a GeoIP2 or GeoLite2 City or Country database)");
        }
        return new MaxMindLocations(path, key, reader, city, cacheSize);
    }

    /** The database's location for a 4- or 16-byte address, or null when it has none. Never blocks. */
    ClientLocation locate(byte[] address) {
        AddressKey key = key(address);
        if (key == null) {
            return null;
        }
        ClientLocation cached = cache.getIfPresent(key);
        if (cached == null) {
            cached = read(address);
            cache.put(key, cached);
        }
        return cached == UNKNOWN ? null : cached;
    }

    private ClientLocation read(byte[] address) {
        databaseLookups.increment();
        try {
            // From raw bytes: no name lookup.
            InetAddress ip = InetAddress.getByAddress(address);
            if (city) {
                Optional<CityResponse> r = reader.tryCity(ip);
                return r.isEmpty() ? UNKNOWN : location(r.get().country(), r.get().registeredCountry(),
                        r.get().location());
            }
            Optional<CountryResponse> r = reader.tryCountry(ip);
            return r.isEmpty() ? UNKNOWN : location(r.get().country(), r.get().registeredCountry(), null);
        } catch (UnknownHostException e) {
            return UNKNOWN;
        } catch (IOException | RuntimeException | GeoIp2Exception e) {
            // A damaged database: this address stays unknown (cached, so it is not retried per request). Counted,
            // not logged: logging here would write from the event loop.
            errors.increment();
            return UNKNOWN;
        }
    }

    private static ClientLocation location(Country country, Country registered, Location location) {
        String iso = country != null && country.isoCode() != null ? country.isoCode()
                : registered != null ? registered.isoCode() : null;
        double lat = location == null || location.latitude() == null ? Double.NaN : location.latitude();
        double lon = location == null || location.longitude() == null ? Double.NaN : location.longitude();
        String code = iso == null ? null : Jurisdictions.country(iso);
        if (Double.isNaN(lat) || Double.isNaN(lon)) {
            return code == null ? UNKNOWN : LocationResolver.country(code, 0, 2);
        }
        return new ClientLocation(code, code == null ? null : Jurisdictions.of(code), lat, lon);
    }

    private static AddressKey key(byte[] a) {
        if (a.length == 4) {
            return new AddressKey(0, 0xFFFF_0000_0000L | (readInt(a, 0) & 0xFFFF_FFFFL));
        }
        if (a.length == 16) {
            return new AddressKey((long) readInt(a, 0) << 32 | (readInt(a, 4) & 0xFFFF_FFFFL),
                    (long) readInt(a, 8) << 32 | (readInt(a, 12) & 0xFFFF_FFFFL));
        }
        return null;
    }

    private static int readInt(byte[] a, int i) {
        return (a[i] & 0xFF) << 24 | (a[i + 1] & 0xFF) << 16 | (a[i + 2] & 0xFF) << 8 | (a[i + 3] & 0xFF);
    }

    String path() {
        return path;
    }

    /** How many lookups went to the database rather than the cache. */
    long databaseLookups() {
        return databaseLookups.sum();
    }

    /** How many lookups failed on a damaged database. */
    long errors() {
        return errors.sum();
    }
}
