package dev.meridian.config;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The routing-policy keys (hash, geo, endpoint jurisdiction and cost, residency, score, client location): one mistake
 * per case, made by editing {@link #BASE}, and the one problem it must produce, as {@link InvalidConfigTest} does.
 */
class InvalidRoutingConfigTest {

    /** Valid as it stands: two regions, one cluster with an endpoint in each. */
    static final String BASE = """
            listeners:
              - address: 127.0.0.1
                port: 8080
            regions:
              - {name: us-east, jurisdiction: US, latitude: 39, longitude: -77}
              - {name: eu-west, jurisdiction: EU, latitude: 53, longitude: -6}
            clusters:
              - name: api
                policy: weighted
                endpoints:
                  - id: us-1
                    address: 10.0.0.1:80
                    region: us-east
                  - id: eu-1
                    address: 10.0.1.1:80
                    region: eu-west
            routes:
              - name: all
                cluster: api
            """;
    // Lines: 8 name: api, 9 policy, 10 endpoints, 11-13 us-1, 14-16 eu-1, 17 routes, 18 name: all, 19 cluster: api.
    // Sections added to the cluster start at line 17, to eu-1 at 17, to the route at 20, at the top level at 20.

    private static final String SECOND_CLUSTER = """
              - name: us
                endpoints:
                  - id: us-2
                    address: 10.0.0.2:80
                    region: us-east
            routes:
            """;

    static Stream<Arguments> cases() {
        return Stream.of(
                inCluster("hash on a weighted cluster", "weighted", "    hash:\n      header: x-user\n",
                        17, 5, "'hash' applies only to ring_hash and maglev clusters",
                        "this cluster's policy is weighted; set policy: ring_hash or policy: maglev"),
                inCluster("hash on a geo cluster picking weighted", "geo", "    hash:\n      client_ip: true\n",
                        17, 5, "'hash' applies only to ring_hash and maglev clusters",
                        "this cluster's policy is geo within weighted"),
                inCluster("hash without a key source", "ring_hash", "    hash:\n      bounded_load: 1.25\n",
                        18, 7, "a hash needs one key source: header, cookie or client_ip", "cookie: session"),
                inCluster("two key sources", "ring_hash", "    hash:\n      header: x-user\n      cookie: session\n",
                        19, 7, "'header' and 'cookie' cannot both be set", "keep one of header, cookie or client_ip"),
                inCluster("client_ip false", "maglev", "    hash:\n      client_ip: false\n",
                        18, 18, "client_ip: false selects no key", "write client_ip: true"),
                inCluster("hash header with a space", "maglev", "    hash:\n      header: \"x user\"\n",
                        18, 15, "invalid header name 'x user'", "a request header name"),
                inCluster("hash cookie with a semicolon", "maglev", "    hash:\n      cookie: \"a;b\"\n",
                        18, 15, "invalid cookie name 'a;b'", "a cookie name"),
                inCluster("bounded load of one", "maglev", "    hash:\n      client_ip: true\n      bounded_load: 1.0\n",
                        19, 21, "bounded_load 1.0 must be 0 (off) or above 1.0", "e.g. 1.25"),
                inCluster("bounded load out of range", "maglev",
                        "    hash:\n      client_ip: true\n      bounded_load: 101\n",
                        19, 21, "bounded_load 101 out of range", "0..100"),
                inCluster("maglev table that is not a prime", "maglev",
                        "    hash:\n      client_ip: true\n      table_size: 65536\n",
                        19, 19, "maglev table_size 65536 is not a prime", "nearest: 65521 or 65537"),
                inCluster("table smaller than the cluster", "ring_hash",
                        "    hash:\n      client_ip: true\n      table_size: 1\n",
                        19, 19, "table_size 1 is smaller than the cluster's 2 endpoints", "0 means the default"),
                inCluster("table beyond the ceiling", "ring_hash",
                        "    hash:\n      client_ip: true\n      table_size: 10000000\n",
                        19, 19, "table_size 10000000 out of range", "0..8388608"),
                inCluster("geo on a weighted cluster", "weighted", "    geo:\n      within: random\n",
                        17, 5, "'geo' applies only to geo clusters", "set policy: geo, or remove 'geo'"),
                inCluster("geo within geo", "geo", "    geo:\n      within: geo\n",
                        18, 15, "a geo cluster cannot pick with geo within a region", "weighted, random"),
                inCluster("misspelt within policy", "geo", "    geo:\n      within: latncy\n",
                        18, 15, "unknown policy 'latncy'", "did you mean 'latency'?"),
                inCluster("spill at load without capacities", "geo", "    geo:\n      spill_at_load: 80\n",
                        18, 22, "spill_at_load needs a capacity on every endpoint; none on us-1, eu-1",
                        "add capacity: <requests> to those"),
                mistake("spill at load with one capacity missing", 19, 22,
                        "spill_at_load needs a capacity on every endpoint; none on eu-1", "or remove spill_at_load",
                        "policy: weighted", "policy: geo",
                        "        region: us-east\n", "        region: us-east\n        capacity: 100\n",
                        "routes:\n", "    geo:\n      spill_at_load: 80\nroutes:\n"),
                inCluster("spill at load zero", "geo", "    geo:\n      spill_at_load: 0\n",
                        18, 22, "spill_at_load 0 out of range", "1..1000"),
                inCluster("bias for an undeclared region", "geo", "    geo:\n      bias:\n        ap-south: 10\n",
                        19, 9, "unknown region 'ap-south'", "declared regions: us-east, eu-west"),
                inCluster("bias out of range", "geo", "    geo:\n      bias:\n        eu-west: 100\n",
                        19, 18, "bias 100 of 'eu-west' out of range", "-99..99"),
                inCluster("bias that is not an integer", "geo", "    geo:\n      bias:\n        eu-west: 1.5\n",
                        19, 18, "expected an integer for the bias of 'eu-west', got a number '1.5'", "-99..99"),
                inCluster("bias as a list", "geo", "    geo:\n      bias: [eu-west]\n",
                        18, 13, "expected a map for 'bias', got a list", "bias: {eu-west: 20"),
                inEndpoint("lower-case endpoint jurisdiction", "        jurisdiction: eu\n",
                        17, 23, "invalid jurisdiction 'eu'", "an upper-case code"),
                inEndpoint("negative cost", "        cost: -1\n", 17, 15, "cost -1 out of range", ">= 0"),
                inEndpoint("cost as a word", "        cost: cheap\n",
                        17, 15, "expected a number for 'cost', got a string 'cheap'", ">= 0"),
                inRoute("rule no endpoint satisfies", "    residency:\n      allow:\n        UK: [UK]\n",
                        22, 9, "no endpoint of cluster 'api' can serve UK clients: none is in UK",
                        "its endpoints with a weight above 0 are in EU, US; add an endpoint in UK to 'api', or allow"
                                + " one of those for UK"),
                inRoute("unknown naming an unsatisfiable rule is reported once, at the rule",
                        "    residency:\n      allow:\n        UK: [UK, CH]\n      unknown: UK\n",
                        22, 9, "none is in UK or CH", "add an endpoint in UK or CH to 'api'"),
                mistake("rule met only by an endpoint of weight 0", 23, 9,
                        "no endpoint of cluster 'api' can serve EU clients: none is in EU",
                        "its endpoints with a weight above 0 are in US;",
                        "        region: eu-west\n", "        region: eu-west\n        weight: 0\n",
                        "    cluster: api\n", "    cluster: api\n    residency:\n      allow:\n        EU: [EU]\n"),
                mistake("split arm whose cluster cannot serve the rule", 29, 9,
                        "no endpoint of cluster 'us' can serve EU clients: none is in EU", "are in US",
                        "routes:\n", SECOND_CLUSTER,
                        "    cluster: api\n", "    split:\n      - {cluster: api, weight: 50}\n"
                                + "      - {cluster: us, weight: 50}\n    residency:\n      allow:\n        EU: [EU]\n"),
                mistake("unknown location sent where no endpoint takes traffic", 23, 16,
                        "no endpoint of cluster 'api' can serve clients of unknown location",
                        "every endpoint of the cluster has weight 0",
                        "        region: us-east\n", "        region: us-east\n        weight: 0\n",
                        "        region: eu-west\n", "        region: eu-west\n        weight: 0\n",
                        "    cluster: api\n", "    cluster: api\n    residency:\n      unknown: EU\n"),
                mistake("rule beside an endpoint in an undeclared region: only the region is reported", 16, 17,
                        "unknown region 'eu-central'", "declared regions",
                        "region: eu-west\n", "region: eu-central\n",
                        "    cluster: api\n", "    cluster: api\n    residency:\n      allow:\n        UK: [UK]\n"),
                inRoute("lower-case client jurisdiction", "    residency:\n      allow:\n        eu: [EU]\n",
                        22, 9, "invalid jurisdiction 'eu'", "an upper-case code"),
                inRoute("lower-case allowed jurisdiction", "    residency:\n      allow:\n        EU: [EU, uk]\n",
                        22, 18, "invalid jurisdiction 'uk' in the list for 'EU'", "an upper-case code"),
                inRoute("map among allowed jurisdictions", "    residency:\n      allow:\n        EU: [{code: EU}]\n",
                        22, 14, "expected a jurisdiction code in the list for 'EU', got a map", "an upper-case code"),
                inRoute("rule allowing nothing", "    residency:\n      allow:\n        EU: []\n",
                        22, 13, "'EU' allows no jurisdiction", "every EU client would be refused"),
                inRoute("rule with a scalar", "    residency:\n      allow:\n        EU: EU\n",
                        22, 13, "expected a list for 'EU', got a string 'EU'", "e.g. EU: [EU]"),
                inRoute("jurisdiction allowed twice", "    residency:\n      allow:\n        EU: [EU, EU]\n",
                        22, 18, "jurisdiction 'EU' is listed twice for 'EU'", "list each jurisdiction once"),
                inRoute("allow as a list", "    residency:\n      allow: [EU]\n",
                        21, 14, "expected a map for 'allow', got a list", "allow: {EU: [EU], UK: [UK, EU]}"),
                inRoute("unknown neither deny nor a code", "    residency:\n      unknown: allow\n",
                        21, 16, "unknown 'allow' is neither deny nor a jurisdiction", "deny refuses clients"),
                inRoute("unknown naming a jurisdiction nothing in the config has", "    residency:\n      unknown: UE\n",
                        21, 16, "unknown 'UE' names no jurisdiction of this config", "did you mean 'EU'?"),
                inRoute("upper-case deny", "    residency:\n      unknown: DENY\n",
                        21, 16, "unknown 'DENY' reads as a jurisdiction code", "write deny in lower case"),
                inRoute("residency status other than 503 or 451", "    residency:\n      status: 500\n",
                        21, 15, "expected 503 or 451 for 'status', got an integer '500'", "451 that the request"),
                inRoute("misspelt residency key", "    residency:\n      alow: {EU: [EU]}\n",
                        21, 7, "unknown key 'alow' in a residency policy", "did you mean 'allow'?"),
                inScoreRoute("negative score weight", "    score:\n      latency: -1\n",
                        21, 16, "latency -1 out of range", ">= 0"),
                inScoreRoute("every score weight zero",
                        "    score: {latency: 0, load: 0, errors: 0, distance: 0, cost: 0}\n",
                        20, 12, "score weights are all 0", "one left out is 1"),
                inScoreRoute("misspelt score weight", "    score:\n      latncy: 2\n",
                        21, 7, "unknown key 'latncy' in a score", "did you mean 'latency'?"),
                inRoute("score for a weighted cluster", "    score:\n      latency: 2\n",
                        20, 5, "'score' has no effect: cluster 'api' uses policy weighted", "policy: score"),
                inRoute("decision header as yes", "    decision_header: yes\n",
                        20, 22, "expected true or false for 'decision_header', got 'yes'", "write true or false"),
                atTop("trusted header without sources", "geo:\n  trusted_header: x-client-geo\n",
                        21, 19, "trusted_header 'x-client-geo' without trusted_sources",
                        "any client can send x-client-geo"),
                atTop("no trusted source", "geo:\n  trusted_header: x-geo\n  trusted_sources: []\n",
                        22, 20, "'trusted_sources' is empty", "list the CIDRs of the proxies or CDN"),
                atTop("unparseable trusted source", "geo:\n  trusted_header: x-geo\n  trusted_sources: [10.0.0.0/33]\n",
                        22, 21, "unparseable CIDR '10.0.0.0/33' in 'trusted_sources'", "an IPv4 or IPv6 prefix"),
                atTop("trusting every address", "geo:\n  trusted_header: x-geo\n  trusted_sources: [\"::/0\"]\n",
                        22, 21, "trusted source '::/0' is every address", "any client could choose its own location"),
                atTop("trusted header with a space",
                        "geo:\n  trusted_header: \"x geo\"\n  trusted_sources: [10.0.0.0/8]\n",
                        21, 19, "invalid header name 'x geo'", "an HTTP token"),
                atTop("unparseable table CIDR", "geo:\n  cidrs:\n    - {cidr: 10.0.0.0/33, country: US}\n",
                        22, 14, "unparseable CIDR '10.0.0.0/33'", "2001:db8::/32"),
                atTop("CIDR given twice", "geo:\n  cidrs:\n    - {cidr: 10.0.0.0/8, country: US}\n"
                                + "    - {cidr: 10.1.0.0/8, country: DE}\n",
                        23, 14, "CIDR 10.0.0.0/8 is already in the table", "first given at line 22"),
                atTop("table entry without a location", "geo:\n  cidrs:\n    - {cidr: 10.0.0.0/8}\n",
                        22, 7, "a CIDR location needs exactly one of 'region' or 'country'", "region: <name>"),
                atTop("table entry with region and country",
                        "geo:\n  cidrs:\n    - {cidr: 10.0.0.0/8, region: us-east, country: US}\n",
                        22, 43, "a CIDR location needs exactly one of 'region' or 'country'", "country: <code>"),
                atTop("table entry in an undeclared region",
                        "geo:\n  cidrs:\n    - {cidr: 10.0.0.0/8, region: eu-central}\n",
                        22, 34, "unknown region 'eu-central'", "declared regions: us-east, eu-west"),
                atTop("lower-case country", "geo:\n  cidrs:\n    - {cidr: 10.0.0.0/8, country: us}\n",
                        22, 35, "invalid country 'us'", "ISO 3166-1 alpha-2"),
                atTop("three-letter country", "geo:\n  cidrs:\n    - {cidr: 10.0.0.0/8, country: USA}\n",
                        22, 35, "invalid country 'USA'", "e.g. US, DE, GB"),
                atTop("jurisdiction beside a region",
                        "geo:\n  cidrs:\n    - {cidr: 10.0.0.0/8, region: us-east, jurisdiction: US}\n",
                        22, 43, "'jurisdiction' does not apply with 'region'", "use country:"),
                atTop("lower-case table jurisdiction",
                        "geo:\n  cidrs:\n    - {cidr: 10.0.0.0/8, country: DE, jurisdiction: eu}\n",
                        22, 53, "invalid jurisdiction 'eu'", "an upper-case code"),
                atTop("latitude without longitude",
                        "geo:\n  cidrs:\n    - {cidr: 10.0.0.0/8, country: US, latitude: 40}\n",
                        22, 39, "'latitude' without 'longitude'", "give both coordinates or neither"),
                atTop("missing MaxMind database", "geo:\n  maxmind_database: no-such/GeoLite2-City.mmdb\n",
                        21, 21, "no-such/GeoLite2-City.mmdb does not exist", "a relative path starts from"),
                atTop("MaxMind database that is a directory", "geo:\n  maxmind_database: /\n",
                        21, 21, "maxmind_database / is a directory", "a GeoIP2 or GeoLite2"),
                atTop("misspelt geo key", "geo:\n  trusted_headers: x-geo\n",
                        21, 3, "unknown key 'trusted_headers' in a geo section", "did you mean 'trusted_header'?"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsTheOneProblemAtItsPosition(String description, String yaml, int line, int column, String message,
                                           String hint) {
        ProblemAssert.onlyProblem(description, yaml, line, column, message, hint);
    }

    /** Cluster api with {@code policy}, and a section added before routes: its first line becomes line 17. */
    private static Arguments inCluster(String description, String policy, String section, int line, int column,
                                       String message, String hint) {
        return mistake(description, line, column, message, hint, "policy: weighted", "policy: " + policy,
                "routes:\n", section + "routes:\n");
    }

    /** Keys added to endpoint eu-1: its first line becomes line 17. */
    private static Arguments inEndpoint(String description, String keys, int line, int column, String message,
                                        String hint) {
        return mistake(description, line, column, message, hint,
                "        region: eu-west\n", "        region: eu-west\n" + keys);
    }

    /** A section added to route all, after its cluster: its first line becomes line 20. */
    private static Arguments inRoute(String description, String section, int line, int column, String message,
                                     String hint) {
        return mistake(description, line, column, message, hint, "    cluster: api\n", "    cluster: api\n" + section);
    }

    /** As {@link #inRoute}, with cluster api scoring. */
    private static Arguments inScoreRoute(String description, String section, int line, int column, String message,
                                          String hint) {
        return mistake(description, line, column, message, hint, "policy: weighted", "policy: score",
                "    cluster: api\n", "    cluster: api\n" + section);
    }

    /** A top-level section added at the end: its first line becomes line 20. */
    private static Arguments atTop(String description, String section, int line, int column, String message,
                                   String hint) {
        return mistake(description, line, column, message, hint, "    cluster: api\n", "    cluster: api\n" + section);
    }

    /** {@code edits}: pairs of a text that must occur exactly once and its replacement, applied in order. */
    static Arguments mistake(String description, int line, int column, String message, String hint,
                             String... edits) {
        String yaml = BASE;
        for (int i = 0; i < edits.length; i += 2) {
            int at = yaml.indexOf(edits[i]);
            if (at < 0 || yaml.indexOf(edits[i], at + 1) >= 0) {
                throw new IllegalArgumentException(description + ": '" + edits[i] + "' must occur exactly once");
            }
            yaml = yaml.substring(0, at) + edits[i + 1] + yaml.substring(at + edits[i].length());
        }
        return Arguments.of(description, yaml, line, column, message, hint);
    }
}
