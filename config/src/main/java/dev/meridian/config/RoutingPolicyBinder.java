package dev.meridian.config;

import dev.meridian.config.ConfigValidator.Kind;
import dev.meridian.config.YamlNode.Entry;
import dev.meridian.config.YamlNode.YamlList;
import dev.meridian.config.YamlNode.YamlMap;
import dev.meridian.config.YamlNode.YamlScalar;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Binds what decides where a request goes within a cluster: a cluster's {@code hash} and {@code geo} sections, and a
 * route's {@code residency} and {@code score}. The rules that need other parts of the document (is a bias region
 * declared, can some endpoint meet a residency rule) are handed to the {@link ConfigValidator} with their positions.
 */
final class RoutingPolicyBinder {
    static final Schema HASH = new Schema("hash key", "hash keys",
            List.of("header", "cookie", "client_ip", "bounded_load", "table_size"), List.of());
    static final Schema GEO_POLICY = new Schema("geo policy", "geo policies",
            List.of("within", "spill_at_load", "bias"), List.of());
    static final Schema RESIDENCY = new Schema("residency policy", "residency policies",
            List.of("allow", "unknown", "status"), List.of());
    static final Schema SCORE = new Schema("score", "scores",
            List.of("latency", "load", "errors", "distance", "cost"), List.of());

    /** Envoy's ceiling for a ring; a maglev table this large already costs 32 MiB per cluster. */
    static final int MAX_TABLE_SIZE = 8_388_608;
    static final Pattern JURISDICTION = Pattern.compile("[A-Z]{2,8}");
    static final String JURISDICTION_HINT = "an upper-case code of 2 to 8 letters, e.g. US, EU, UK, SG, JP";

    private static final List<String> KEY_SOURCES = List.of("header", "cookie", "client_ip");
    private static final List<String> WITHIN = Arrays.stream(Policy.values()).filter(p -> p != Policy.GEO)
            .map(Policy::yamlName).toList();
    private static final int MAX_BIAS = 99;
    private static final int MAX_NAMED = 5;

    private final Problems problems;
    private final ConfigValidator validator;

    RoutingPolicyBinder(Problems problems, ConfigValidator validator) {
        this.problems = problems;
        this.validator = validator;
    }

    /**
     * A cluster's hash section.
     *
     * @param hashing    the policy that reads the key: the cluster's, or for a geo cluster its {@code within}
     * @param endpoints  how many endpoints the cluster has, the least a table may hold
     */
    HashConfig hash(Fields f, YamlScalar sectionKey, Policy policy, Policy hashing, int endpoints) {
        boolean applies = hashing == Policy.RING_HASH || hashing == Policy.MAGLEV;
        if (!applies) {
            problems.add(sectionKey, "'hash' applies only to ring_hash and maglev clusters",
                    "this cluster's policy is " + policy.yamlName() + (policy == Policy.GEO ? " within "
                            + hashing.yamlName() : "") + "; set policy: ring_hash or policy: maglev, or remove 'hash'");
        }
        HashConfig key = key(f);
        double boundedLoad = f.decimal("bounded_load", 0, 0, 100);
        if (boundedLoad > 0 && boundedLoad <= 1) {
            problems.add(f.value("bounded_load"), "bounded_load " + text(f, "bounded_load")
                            + " must be 0 (off) or above 1.0",
                    "a key moves on when its endpoint carries more than this times the average load; e.g. 1.25");
            boundedLoad = 0;
        }
        int tableSize = f.integer("table_size", 0, 0, MAX_TABLE_SIZE);
        if (tableSize > 0 && hashing == Policy.MAGLEV && !isPrime(tableSize)) {
            problems.add(f.value("table_size"), "maglev table_size " + tableSize + " is not a prime",
                    "Maglev's permutations need a prime; nearest: " + nearestPrimes(tableSize)
                            + "; 0 means the default, " + HashConfig.DEFAULT_MAGLEV_TABLE);
            tableSize = 0;
        } else if (tableSize > 0 && applies && tableSize < endpoints) {
            problems.add(f.value("table_size"), "table_size " + tableSize + " is smaller than the cluster's "
                            + endpoints + " endpoints",
                    "some endpoints would get no entry; 0 means the default, or give at least 100 per endpoint");
            tableSize = 0;
        }
        return new HashConfig(key.key(), key.name(), boundedLoad, tableSize);
    }

    /** Exactly one key source; the record keeps the first one given, so binding goes on with something usable. */
    private HashConfig key(Fields f) {
        List<YamlScalar> given = new ArrayList<>();
        for (String source : KEY_SOURCES) {
            if (f.has(source)) {
                given.add(f.key(source));
            }
        }
        if (given.isEmpty()) {
            problems.add(f.map(), "a hash needs one key source: header, cookie or client_ip",
                    "e.g. header: x-user-id, cookie: session or client_ip: true");
        } else if (given.size() > 1) {
            YamlScalar second = given.get(1);
            problems.add(ConfigBinder.later(given.get(0), second), "'" + given.get(0).text() + "' and '"
                            + second.text() + "' cannot both be set",
                    "a hash reads one key; keep one of header, cookie or client_ip");
        }
        String header = tokenName(f, "header", "a request header name, e.g. x-user-id");
        if (header != null) {
            return new HashConfig(HashKeyKind.HEADER, header, 0, 0);
        }
        String cookie = tokenName(f, "cookie", "a cookie name, e.g. session");
        if (cookie != null) {
            return new HashConfig(HashKeyKind.COOKIE, cookie, 0, 0);
        }
        if (f.has("client_ip") && !f.bool("client_ip", true)) {
            problems.add(f.value("client_ip"), "client_ip: false selects no key",
                    "write client_ip: true to hash on the client's address, or use header or cookie");
        }
        return HashConfig.CLIENT_IP;
    }

    private String tokenName(Fields f, String key, String hint) {
        String name = f.string(key);
        if (name != null && !ConfigBinder.isToken(name)) {
            problems.add(f.value(key), "invalid " + key + " name '" + name + "'",
                    hint + ": letters, digits and " + ConfigBinder.HEADER_TOKEN_CHARS);
        }
        return name;
    }

    /**
     * A cluster's geo section.
     *
     * @param lackingCapacity the endpoints (ids, or "#index" when unnamed) that give no capacity
     */
    GeoPolicyConfig geo(Fields f, YamlScalar sectionKey, Policy policy, List<String> lackingCapacity) {
        if (policy != Policy.GEO) {
            problems.add(sectionKey, "'geo' applies only to geo clusters",
                    "this cluster's policy is " + policy.yamlName() + "; set policy: geo, or remove 'geo'");
        }
        Policy within = within(f);
        int spillAt = 0;
        if (f.has("spill_at_load")) {
            spillAt = f.integer("spill_at_load", 0, 1, 1000);
            if (spillAt > 0 && !lackingCapacity.isEmpty()) {
                problems.add(f.value("spill_at_load"), "spill_at_load needs a capacity on every endpoint; none on "
                                + names(lackingCapacity),
                        "the load is requests in flight against summed capacity; add capacity: <requests> to those,"
                                + " or remove spill_at_load to spill only when a region fails");
            }
        }
        return new GeoPolicyConfig(within, spillAt, bias(f));
    }

    private Policy within(Fields f) {
        String text = f.string("within");
        if (text == null) {
            return GeoPolicyConfig.DEFAULT.within();
        }
        if (text.equals(Policy.GEO.yamlName())) {
            problems.add(f.value("within"), "a geo cluster cannot pick with geo within a region",
                    "within is the policy among one region's endpoints: " + String.join(", ", WITHIN));
            return GeoPolicyConfig.DEFAULT.within();
        }
        Policy p = ConfigBinder.policyNamed(text);
        if (p == null) {
            problems.add(f.value("within"), "unknown policy '" + text + "'",
                    Suggestions.hint(text, WITHIN, "allowed policies"));
            return GeoPolicyConfig.DEFAULT.within();
        }
        return p;
    }

    private Map<String, Integer> bias(Fields f) {
        Map<String, Integer> bias = new LinkedHashMap<>();
        YamlNode v = f.value("bias");
        if (v == null) {
            return bias;
        }
        if (!(v instanceof YamlMap map)) {
            problems.add(v, "expected a map for 'bias', got " + Fields.describe(v),
                    "region: percent, e.g. bias: {eu-west: 20, us-east: -10}");
            return bias;
        }
        String range = -MAX_BIAS + ".." + MAX_BIAS
                + ": a positive bias draws clients from further away, a negative one sends them elsewhere";
        for (Entry e : map.entries()) {
            String region = e.key().text();
            validator.reference(Kind.REGION, region, e.key());
            if (!(e.value() instanceof YamlScalar s) || s.kind() != YamlScalar.Kind.INTEGER) {
                problems.add(e.value(), "expected an integer for the bias of '" + region + "', got "
                        + Fields.describe(e.value()), range);
            } else if (Math.abs(s.number().doubleValue()) > MAX_BIAS) {
                problems.add(s, "bias " + s.text() + " of '" + region + "' out of range", range);
            } else {
                bias.put(region, s.number().intValue());
            }
        }
        return bias;
    }

    /** A route's residency section, and the positions the validator reports at. */
    record BoundResidency(ResidencyConfig config, Map<String, YamlNode> allowAt, YamlNode unknownAt) {
    }

    BoundResidency residency(Fields f) {
        Map<String, List<String>> allow = new LinkedHashMap<>();
        Map<String, YamlNode> allowAt = new LinkedHashMap<>();
        YamlNode v = f.value("allow");
        if (v instanceof YamlMap map) {
            for (Entry e : map.entries()) {
                rule(e, allow, allowAt);
            }
        } else if (v != null) {
            problems.add(v, "expected a map for 'allow', got " + Fields.describe(v),
                    "client jurisdiction: [jurisdictions that may serve it], e.g. allow: {EU: [EU], UK: [UK, EU]}");
        }
        String unknown = ResidencyConfig.DENY;
        YamlNode unknownAt = null;
        String text = f.string("unknown");
        if (text != null) {
            if (text.equalsIgnoreCase(ResidencyConfig.DENY) && !text.equals(ResidencyConfig.DENY)) {
                // Upper-case, it would read as a jurisdiction without a rule: those clients would go anywhere.
                problems.add(f.value("unknown"), "unknown '" + text + "' reads as a jurisdiction code",
                        "write deny in lower case to refuse clients of unknown location");
            } else if (JURISDICTION.matcher(text).matches()) {
                unknown = text;
                unknownAt = f.value("unknown");
            } else if (!text.equals(ResidencyConfig.DENY)) {
                problems.add(f.value("unknown"), "unknown '" + text + "' is neither deny nor a jurisdiction",
                        "deny refuses clients of unknown location; a code such as EU applies that jurisdiction's"
                                + " rule to them");
            }
        }
        return new BoundResidency(new ResidencyConfig(allow, unknown, status(f)), allowAt, unknownAt);
    }

    /** One {@code EU: [EU]} rule; kept for the validator only when read without a problem. */
    private void rule(Entry e, Map<String, List<String>> allow, Map<String, YamlNode> allowAt) {
        String client = e.key().text();
        boolean clean = true;
        if (!JURISDICTION.matcher(client).matches()) {
            problems.add(e.key(), "invalid jurisdiction '" + client + "'", JURISDICTION_HINT);
            clean = false;
        }
        if (!(e.value() instanceof YamlList list)) {
            problems.add(e.value(), "expected a list for '" + client + "', got " + Fields.describe(e.value()),
                    "the jurisdictions whose endpoints may serve " + client + " clients, e.g. " + client + ": ["
                            + client + "]");
            return;
        }
        if (list.items().isEmpty()) {
            problems.add(list, "'" + client + "' allows no jurisdiction", "every " + client
                    + " client would be refused; list the jurisdictions that may serve them, e.g. [" + client + "]");
            return;
        }
        List<String> allowed = new ArrayList<>();
        for (YamlNode item : list.items()) {
            // Any scalar kind: YAML 1.1 reads NO (Norway) as a boolean, but the text is what was meant.
            if (!(item instanceof YamlScalar s)) {
                problems.add(item, "expected a jurisdiction code in the list for '" + client + "', got "
                        + Fields.describe(item), JURISDICTION_HINT);
                clean = false;
            } else if (!JURISDICTION.matcher(s.text()).matches()) {
                problems.add(s, "invalid jurisdiction '" + s.text() + "' in the list for '" + client + "'",
                        JURISDICTION_HINT);
                clean = false;
            } else if (allowed.contains(s.text())) {
                problems.add(s, "jurisdiction '" + s.text() + "' is listed twice for '" + client + "'",
                        "list each jurisdiction once");
            } else {
                allowed.add(s.text());
            }
        }
        if (clean) {
            allow.put(client, allowed);
            allowAt.put(client, e.key());
        }
    }

    private int status(Fields f) {
        YamlNode v = f.value("status");
        if (v == null) {
            return 503;
        }
        if (v instanceof YamlScalar s && s.kind() == YamlScalar.Kind.INTEGER
                && (s.text().equals("503") || s.text().equals("451"))) {
            return Integer.parseInt(s.text());
        }
        problems.add(v, "expected 503 or 451 for 'status', got " + Fields.describe(v),
                "503 says no compliant endpoint is available now, 451 that the request is refused for legal reasons");
        return 503;
    }

    /** A route's score weights; a weight left out is the default's 1. */
    ScoreWeights score(Fields f) {
        ScoreWeights d = ScoreWeights.DEFAULT;
        ScoreWeights w = new ScoreWeights(f.decimalAtLeast("latency", d.latency(), 0),
                f.decimalAtLeast("load", d.load(), 0), f.decimalAtLeast("errors", d.errors(), 0),
                f.decimalAtLeast("distance", d.distance(), 0), f.decimalAtLeast("cost", d.cost(), 0));
        if (w.latency() + w.load() + w.errors() + w.distance() + w.cost() == 0) {
            problems.add(f.map(), "score weights are all 0",
                    "every endpoint would cost the same; give one a weight above 0 (one left out is 1)");
            return d;
        }
        return w;
    }

    private static String text(Fields f, String key) {
        return ((YamlScalar) f.value(key)).text();
    }

    private static String names(List<String> names) {
        if (names.size() <= MAX_NAMED) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, MAX_NAMED)) + " and " + (names.size() - MAX_NAMED) + " more";
    }

    static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        for (int d = 2; (long) d * d <= n; d++) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    /** "65521 or 65537": the primes either side of {@code n} that are allowed table sizes. */
    static String nearestPrimes(int n) {
        int below = n - 1;
        while (below >= 2 && !isPrime(below)) {
            below--;
        }
        int above = n + 1;
        while (above <= MAX_TABLE_SIZE && !isPrime(above)) {
            above++;
        }
        List<String> found = new ArrayList<>();
        if (below >= 2) {
            found.add(Integer.toString(below));
        }
        if (above <= MAX_TABLE_SIZE) {
            found.add(Integer.toString(above));
        }
        return String.join(" or ", found);
    }
}
