package dev.meridian.config;

import dev.meridian.config.ConfigValidator.Kind;
import dev.meridian.config.YamlNode.YamlList;
import dev.meridian.config.YamlNode.YamlScalar;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Binds the top-level {@code geo} section: how a client's location is found. A header is believed only from the
 * peers listed as trusted, since any client can send one; the CIDR table and the MaxMind file are checked here so
 * that a typo fails the load, not every lookup at run time.
 */
final class ClientLocationBinder {
    static final Schema GEO = new Schema("geo section", "geo sections",
            List.of("trusted_header", "trusted_sources", "cidrs", "maxmind_database"), List.of());
    static final Schema CIDR_LOCATION = new Schema("CIDR location", "CIDR locations",
            List.of("cidr", "region", "country", "jurisdiction", "latitude", "longitude"), List.of("cidr"));

    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final String CIDR_HINT = "an IPv4 or IPv6 prefix, e.g. 203.0.113.0/24 or 2001:db8::/32";
    private static final List<String> OWN_LOCATION = List.of("jurisdiction", "latitude", "longitude");

    private final Problems problems;
    private final ConfigValidator validator;
    private final Path directory;
    /** Each CIDR of the table, normalised, to the line it was first given on. */
    private final Map<Cidr, Integer> seen = new HashMap<>();

    /** {@code directory}: where a relative {@code maxmind_database} path starts, the config file's directory. */
    ClientLocationBinder(Problems problems, ConfigValidator validator, Path directory) {
        this.problems = problems;
        this.validator = validator;
        this.directory = directory;
    }

    GeoConfig geo(Fields f) {
        String header = f.string("trusted_header");
        if (header != null && !ConfigBinder.isToken(header)) {
            problems.add(f.value("trusted_header"), "invalid header name '" + header + "'",
                    "an HTTP token: letters, digits and " + ConfigBinder.HEADER_TOKEN_CHARS);
        }
        List<String> sources = trustedSources(f, header);
        List<GeoCidr> cidrs = new ArrayList<>();
        f.forEach("cidrs", CIDR_LOCATION, false, (c, i) -> cidrs.add(cidrLocation(c)));
        return new GeoConfig(header, sources, cidrs, maxmind(f));
    }

    private List<String> trustedSources(Fields f, String header) {
        List<String> sources = new ArrayList<>();
        String anyone = "any client can send " + (header == null ? "a header" : header) + "; ";
        String fix = "list the CIDRs of the proxies or CDN that set it";
        YamlList list = f.list("trusted_sources", "a list of CIDRs, e.g. [203.0.113.0/24]");
        if (list == null) {
            if (header != null && !f.has("trusted_sources")) {
                problems.add(f.value("trusted_header"), "trusted_header '" + header + "' without trusted_sources",
                        anyone + fix + " in trusted_sources, or remove trusted_header");
            }
            return sources;
        }
        if (list.items().isEmpty() && header != null) {
            problems.add(list, "'trusted_sources' is empty", anyone + fix);
        }
        for (YamlNode item : list.items()) {
            if (!(item instanceof YamlScalar s)) {
                problems.add(item, "expected a CIDR in 'trusted_sources', got " + Fields.describe(item), CIDR_HINT);
                continue;
            }
            String text = s.text();
            Cidr cidr = Cidr.parse(text);
            if (cidr == null) {
                problems.add(item, "unparseable CIDR '" + text + "' in 'trusted_sources'", CIDR_HINT);
            } else if (cidr.prefixLength() == 0) {
                problems.add(item, "trusted source '" + text + "' is every address",
                        "any client could choose its own location; " + fix);
            } else {
                sources.add(text);
            }
        }
        return sources;
    }

    private GeoCidr cidrLocation(Fields f) {
        String text = f.string("cidr");
        if (text != null) {
            Cidr cidr = Cidr.parse(text);
            if (cidr == null) {
                problems.add(f.value("cidr"), "unparseable CIDR '" + text + "'", CIDR_HINT);
            } else {
                Integer first = seen.putIfAbsent(cidr, f.value("cidr").line());
                if (first != null) {
                    problems.add(f.value("cidr"), "CIDR " + cidr + " is already in the table",
                            "first given at line " + first + "; one prefix maps to one location");
                }
            }
        }
        boolean hasRegion = f.has("region");
        boolean hasCountry = f.has("country");
        if (hasRegion == hasCountry) {
            problems.add(hasRegion ? ConfigBinder.later(f.key("region"), f.key("country")) : f.map(),
                    "a CIDR location needs exactly one of 'region' or 'country'",
                    "region: <name> takes that region's jurisdiction and coordinates; country: <code> gives them"
                            + " here");
        }
        String region = f.string("region");
        if (region != null) {
            validator.reference(Kind.REGION, region, f.value("region"));
            for (String key : OWN_LOCATION) {
                if (f.has(key)) {
                    problems.add(f.key(key), "'" + key + "' does not apply with 'region'",
                            "a region's location is the region's own; use country: for a location of its own");
                }
            }
        }
        String country = f.string("country");
        if (country != null && !COUNTRY.matcher(country).matches()) {
            problems.add(f.value("country"), "invalid country '" + country + "'",
                    "an upper-case ISO 3166-1 alpha-2 code, e.g. US, DE, GB, SG");
        }
        String jurisdiction = f.string("jurisdiction");
        if (jurisdiction != null && !RoutingPolicyBinder.JURISDICTION.matcher(jurisdiction).matches()) {
            problems.add(f.value("jurisdiction"), "invalid jurisdiction '" + jurisdiction + "'",
                    RoutingPolicyBinder.JURISDICTION_HINT);
        }
        double latitude = f.decimal("latitude", Double.NaN, -90, 90);
        double longitude = f.decimal("longitude", Double.NaN, -180, 180);
        if (f.has("latitude") != f.has("longitude")) {
            String given = f.has("latitude") ? "latitude" : "longitude";
            problems.add(f.key(given), "'" + given + "' without '" + (f.has("latitude") ? "longitude" : "latitude")
                    + "'", "give both coordinates or neither");
        }
        if (Double.isNaN(latitude) || Double.isNaN(longitude)) {
            latitude = Double.NaN;
            longitude = Double.NaN;
        }
        return new GeoCidr(text, region, country, jurisdiction, latitude, longitude);
    }

    /** The database's path, resolved against the config's directory, or null when none is configured. */
    private String maxmind(Fields f) {
        String text = f.string("maxmind_database");
        if (text == null) {
            return null;
        }
        YamlNode at = f.value("maxmind_database");
        String hint = "a GeoIP2 or GeoLite2 City or Country .mmdb file"
                + "; a relative path starts from the config file's directory, " + directory;
        if (text.isEmpty()) {
            problems.add(at, "'maxmind_database' is empty", hint);
            return null;
        }
        Path path;
        try {
            path = directory.resolve(text).normalize();
        } catch (InvalidPathException e) {
            problems.add(at, "invalid path '" + text + "' for maxmind_database", hint);
            return text;
        }
        if (!Files.exists(path)) {
            problems.add(at, "maxmind_database " + path + " does not exist", hint);
        } else if (Files.isDirectory(path)) {
            problems.add(at, "maxmind_database " + path + " is a directory", hint);
        } else if (!Files.isReadable(path)) {
            problems.add(at, "maxmind_database " + path + " is not readable",
                    "check the file's permissions for the user the proxy runs as");
        }
        return path.toString();
    }
}
