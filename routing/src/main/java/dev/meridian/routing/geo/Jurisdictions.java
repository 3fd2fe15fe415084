package dev.meridian.routing.geo;

import java.util.Locale;
import java.util.Set;

/**
 * The jurisdiction a client's data falls under by default, from its country: the 27 EU member states are {@code EU}
 * (one data-protection regime), the United Kingdom is {@code UK} (its own since 2021), and every other country is its
 * own ISO 3166-1 alpha-2 code. A config entry or header that names a jurisdiction overrides this.
 *
 * <p>Results are canonical strings: two lookups of the same country return the same instance.
 */
public final class Jurisdictions {
    public static final String EU = "EU";
    public static final String UK = "UK";

    /** ISO codes as of 2020; Greece is GR here although the EU itself writes EL. */
    private static final Set<String> EU_MEMBERS = Set.of(
            "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
            "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE");

    /** Index (c0 - 'A') * 26 + (c1 - 'A'): the canonical code, or null when not a country. */
    private static final String[] COUNTRIES = new String[26 * 26];
    private static final String[] JURISDICTIONS = new String[26 * 26];

    static {
        for (String code : Locale.getISOCountries(Locale.IsoCountryCode.PART1_ALPHA2)) {
            register(code);
        }
        // Kosovo: user-assigned, but what CDNs and MaxMind send.
        register("XK");
    }

    private static void register(String code) {
        String canonical = code.intern();
        int i = index(canonical, 0);
        COUNTRIES[i] = canonical;
        JURISDICTIONS[i] = EU_MEMBERS.contains(canonical) ? EU : canonical.equals("GB") ? UK : canonical;
    }

    private Jurisdictions() {
    }

    /** The 27 member states, as ISO 3166-1 alpha-2 codes. */
    public static Set<String> euMembers() {
        return EU_MEMBERS;
    }

    /**
     * The default jurisdiction of a country.
     *
     * @param country an ISO 3166-1 alpha-2 code, any case
     * @return EU, UK or the country's own code (upper case); null when {@code country} is not a known code
     */
    public static String of(CharSequence country) {
        int i = indexOf(country, 0, country == null ? 0 : country.length());
        return i < 0 ? null : JURISDICTIONS[i];
    }

    /** The canonical upper-case code for {@code country} (any case), or null when it is not a known country. */
    public static String country(CharSequence country) {
        int i = indexOf(country, 0, country == null ? 0 : country.length());
        return i < 0 ? null : COUNTRIES[i];
    }

    /**
     * The dense index (0 to 675) of the two-letter country code at {@code text[start, end)}, any case, or -1 when that
     * is not a known country. Lets callers keep per-country tables with no string allocation per lookup.
     */
    static int indexOf(CharSequence text, int start, int end) {
        if (text == null || end - start != 2) {
            return -1;
        }
        int a = upper(text.charAt(start));
        int b = upper(text.charAt(start + 1));
        if (a < 0 || b < 0) {
            return -1;
        }
        int i = a * 26 + b;
        return COUNTRIES[i] == null ? -1 : i;
    }

    /** The canonical code at a dense index from {@link #indexOf}. */
    static String countryAt(int index) {
        return COUNTRIES[index];
    }

    static String jurisdictionAt(int index) {
        return JURISDICTIONS[index];
    }

    static int tableSize() {
        return COUNTRIES.length;
    }

    private static int index(String code, int from) {
        return (code.charAt(from) - 'A') * 26 + (code.charAt(from + 1) - 'A');
    }

    private static int upper(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a';
        }
        return -1;
    }
}
