package dev.meridian.routing.geo;

/**
 * Reads the trusted location header. Its value is one of:
 * <ul>
 *   <li>a declared region's name, e.g. {@code eu-west}: that region's jurisdiction and coordinates;</li>
 *   <li>a bare ISO 3166-1 alpha-2 country code, any case, e.g. {@code DE}: that country and its default
 *       jurisdiction ({@link Jurisdictions}), no coordinates;</li>
 *   <li>{@code ;}-separated {@code key=value} pairs, keys any case, blanks around parts ignored, each key at most
 *       once: {@code country}, {@code jurisdiction} (2 to 8 letters), {@code lat} and {@code lon} (decimal degrees,
 *       both or neither), {@code region} (declared); e.g. {@code country=DE; lat=50.11; lon=8.68}. They combine as
 *       {@link LocationResolver} says: explicit parts win over the country's and then the region's.</li>
 * </ul>
 * A region name is tried before a country code. Anything else (an unknown key, an undeclared region, an unknown
 * country, a bad number, more than {@value #MAX_LENGTH} characters) is malformed: the header is ignored and the
 * client is located as if it had not been sent.
 *
 * <p>The region and bare-country forms, and pairs that reduce to them, return shared instances.
 */
final class TrustedHeader {
    static final int MAX_LENGTH = 256;
    /** Longest decimal accepted for a coordinate, e.g. {@code -179.1234567890}. */
    private static final int MAX_NUMBER = 24;

    private TrustedHeader() {
    }

    /** The location the value states, or null when it is absent or malformed. */
    static ClientLocation parse(CharSequence value, LocationResolver resolver) {
        if (value == null) {
            return null;
        }
        int n = value.length();
        if (n > MAX_LENGTH) {
            return null;
        }
        int start = 0;
        int end = n;
        while (start < end && isBlank(value.charAt(start))) {
            start++;
        }
        while (end > start && isBlank(value.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return null;
        }
        if (indexOf(value, '=', start, end) < 0) {
            return bare(value, start, end, resolver);
        }
        return pairs(value.toString(), start, end, resolver);
    }

    private static ClientLocation bare(CharSequence value, int start, int end, LocationResolver resolver) {
        // A String value (what Netty's headers return) is looked up as is: no copy unless it was padded.
        String token = start == 0 && end == value.length() ? value.toString()
                : value.subSequence(start, end).toString();
        ClientLocation region = resolver.region(token);
        return region != null ? region : LocationResolver.country(value, start, end);
    }

    private static ClientLocation pairs(String s, int start, int end, LocationResolver resolver) {
        String region = null;
        String country = null;
        String jurisdiction = null;
        double lat = Double.NaN;
        double lon = Double.NaN;
        boolean seenLat = false;
        boolean seenLon = false;
        int from = start;
        while (from <= end) {
            int semi = s.indexOf(';', from);
            int partEnd = semi < 0 || semi > end ? end : semi;
            String part = s.substring(from, partEnd).strip();
            from = partEnd + 1;
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                return null;
            }
            String key = part.substring(0, eq).strip();
            String v = part.substring(eq + 1).strip();
            if (v.isEmpty()) {
                return null;
            }
            if (key.equalsIgnoreCase("region") && region == null) {
                region = v;
            } else if (key.equalsIgnoreCase("country") && country == null) {
                country = v;
            } else if (key.equalsIgnoreCase("jurisdiction") && jurisdiction == null) {
                jurisdiction = v;
            } else if (key.equalsIgnoreCase("lat") && !seenLat) {
                seenLat = true;
                lat = decimal(v);
                if (Double.isNaN(lat)) {
                    return null;
                }
            } else if (key.equalsIgnoreCase("lon") && !seenLon) {
                seenLon = true;
                lon = decimal(v);
                if (Double.isNaN(lon)) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return resolver.resolve(region, country, jurisdiction, lat, lon, false, null);
    }

    /**
     * A plain decimal ({@code -12.5}, {@code 8}, {@code +0.25}), or NaN. Checked by hand first: parseDouble would
     * also take {@code NaN}, {@code Infinity}, hex and exponents, and throws on garbage.
     */
    static double decimal(String v) {
        int n = v.length();
        if (n == 0 || n > MAX_NUMBER) {
            return Double.NaN;
        }
        int i = v.charAt(0) == '-' || v.charAt(0) == '+' ? 1 : 0;
        int digits = 0;
        boolean dot = false;
        for (; i < n; i++) {
            char c = v.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                return Double.NaN;
            }
        }
        return digits == 0 ? Double.NaN : Double.parseDouble(v);
    }

    private static int indexOf(CharSequence s, char c, int start, int end) {
        for (int i = start; i < end; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
