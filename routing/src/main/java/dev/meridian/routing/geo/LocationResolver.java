package dev.meridian.routing.geo;

import dev.meridian.config.RegionConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns what a config entry or a trusted header says about a client (a region, a country, a jurisdiction,
 * coordinates) into a {@link ClientLocation}, one rule for both. Common answers are shared instances: one per
 * declared region and one per country, so the usual cases allocate nothing per request.
 *
 * <p>Precedence: an explicit jurisdiction, else the country's default ({@link Jurisdictions}), else the region's;
 * explicit coordinates, else the region's, else none. A region given alone is the region's location with no country.
 *
 * <p>A header must name an ISO 3166-1 country: CDNs send placeholders such as {@code XX} or {@code T1} for "unknown",
 * and those must fall through to the table. The operator's own table may use any two upper-case letters (the config
 * loader's rule), e.g. a private code; a code that is no country is its own jurisdiction.
 */
final class LocationResolver {
    /** Country-only locations depend on no config: one per country for the whole process. */
    private static final ClientLocation[] COUNTRY_ONLY = new ClientLocation[Jurisdictions.tableSize()];

    static {
        for (int i = 0; i < COUNTRY_ONLY.length; i++) {
            String code = Jurisdictions.countryAt(i);
            if (code != null) {
                COUNTRY_ONLY[i] = new ClientLocation(code, Jurisdictions.jurisdictionAt(i), Double.NaN, Double.NaN);
            }
        }
    }

    private final Map<String, RegionConfig> regionConfigs = new HashMap<>();
    private final Map<String, ClientLocation> regions = new HashMap<>();

    LocationResolver(List<RegionConfig> declared) {
        for (RegionConfig r : declared) {
            regionConfigs.put(r.name(), r);
            regions.put(r.name(), new ClientLocation(null, r.jurisdiction(), r.latitude(), r.longitude()));
        }
    }

    /** The shared location of a declared region, or null. */
    ClientLocation region(String name) {
        return regions.get(name);
    }

    /** The shared country-only location of a two-letter code at {@code text[start, end)} (any case), or null. */
    static ClientLocation country(CharSequence text, int start, int end) {
        int i = Jurisdictions.indexOf(text, start, end);
        return i < 0 ? null : COUNTRY_ONLY[i];
    }

    /**
     * Merges the given parts; any may be null (NaN for coordinates), not all.
     *
     * @param anyCountryCode accept any two upper-case letters as a country (config), not only ISO codes (header)
     * @param why            when not null and the parts are invalid, gets the reason
     * @return the location, or null when the parts are invalid: an undeclared region, an unknown country, a
     *         malformed jurisdiction, only one coordinate or one out of range, or nothing at all
     */
    ClientLocation resolve(String region, String country, String jurisdiction, double latitude, double longitude,
                           boolean anyCountryCode, StringBuilder why) {
        RegionConfig r = null;
        if (region != null && (r = regionConfigs.get(region)) == null) {
            return invalid(why, "region '" + region + "' is not declared in regions");
        }
        String code = null;
        if (country != null && (code = Jurisdictions.country(country)) == null) {
            if (!anyCountryCode || !isTwoUpperCaseLetters(country)) {
                return invalid(why, "country '" + country + "' is not an ISO 3166-1 alpha-2 code");
            }
            code = country;
        }
        String j = null;
        if (jurisdiction != null && (j = jurisdiction(jurisdiction)) == null) {
            return invalid(why, "jurisdiction '" + jurisdiction + "' is not 2 to 8 letters");
        }
        boolean hasLat = !Double.isNaN(latitude);
        if (hasLat != !Double.isNaN(longitude)) {
            return invalid(why, "latitude and longitude go together");
        }
        if (hasLat && (latitude < -90 || latitude > 90 || longitude < -180 || longitude > 180)) {
            return invalid(why, "coordinates " + latitude + "," + longitude + " are out of range");
        }
        if (r == null && code == null && j == null && !hasLat) {
            return invalid(why, "no region, country, jurisdiction or coordinates");
        }
        if (j == null) {
            j = code != null ? countryJurisdiction(code) : r != null ? r.jurisdiction() : null;
        }
        double lat = hasLat ? latitude : r != null ? r.latitude() : Double.NaN;
        double lon = hasLat ? longitude : r != null ? r.longitude() : Double.NaN;
        ClientLocation shared = code != null ? country(code, 0, 2) : r != null ? regions.get(r.name()) : null;
        if (shared != null && same(shared, code, j, lat, lon)) {
            return shared;
        }
        return new ClientLocation(code, j, lat, lon);
    }

    private static String countryJurisdiction(String code) {
        String j = Jurisdictions.of(code);
        return j != null ? j : code;
    }

    private static boolean isTwoUpperCaseLetters(String s) {
        return s.length() == 2 && s.charAt(0) >= 'A' && s.charAt(0) <= 'Z' && s.charAt(1) >= 'A' && s.charAt(1) <= 'Z';
    }

    private static boolean same(ClientLocation l, String country, String jurisdiction, double lat, double lon) {
        return Objects.equals(l.country(), country) && Objects.equals(l.jurisdiction(), jurisdiction)
                && Double.compare(l.latitude(), lat) == 0 && Double.compare(l.longitude(), lon) == 0;
    }

    /** Upper-case form of a 2-8 letter jurisdiction; EU and UK come back as the shared constants. Null if invalid. */
    private static String jurisdiction(String text) {
        int n = text.length();
        if (n < 2 || n > 8) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                return null;
            }
        }
        String upper = text.toUpperCase(Locale.ROOT);
        if (upper.equals(Jurisdictions.EU)) {
            return Jurisdictions.EU;
        }
        if (upper.equals(Jurisdictions.UK)) {
            return Jurisdictions.UK;
        }
        // A country's own code as a jurisdiction: its canonical instance, so a shared location can match.
        String country = Jurisdictions.country(upper);
        return country != null && country.equals(Jurisdictions.of(country)) ? country : upper;
    }

    private static ClientLocation invalid(StringBuilder why, String reason) {
        if (why != null) {
            why.append(reason);
        }
        return null;
    }
}
