package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routing-policy keys land in the records; what is left out takes the records' defaults. */
class RoutingConfigTest {

    private static final String ROUTING = """
            listeners: [{address: 127.0.0.1, port: 8080}]
            geo:
              trusted_header: x-client-region
              trusted_sources: [203.0.113.0/24, "2001:db8::/32"]
              cidrs:
                - {cidr: 10.1.0.0/16, region: eu-west}
                - {cidr: "2001:db8:1::/48", country: GB, jurisdiction: UK, latitude: 51.5, longitude: -0.12}
                - {cidr: 192.0.2.0/24, country: NO}
            regions:
              - {name: us-east, jurisdiction: US, latitude: 39, longitude: -77}
              - {name: eu-west, jurisdiction: EU, latitude: 53, longitude: -6}
            clusters:
              - name: sessions
                policy: maglev
                hash: {cookie: session, bounded_load: 1.25, table_size: 65537}
                endpoints: [{id: s1, address: "h:1", region: us-east}]
              - name: users
                policy: ring_hash
                hash: {header: x-user-id, table_size: 4096}
                endpoints: [{id: u1, address: "h:2", region: us-east}]
              - name: edge
                policy: geo
                geo:
                  within: least_request
                  spill_at_load: 80
                  bias: {eu-west: 20, us-east: -10}
                endpoints:
                  - {id: e1, address: "h:3", region: us-east, capacity: 100}
                  - {id: e2, address: "h:4", region: eu-west, capacity: 50}
              - name: sticky-edge
                policy: geo
                geo: {within: maglev}
                hash: {client_ip: true, table_size: 251}
                endpoints: [{id: g1, address: "h:5", region: eu-west}]
              - name: smart
                policy: score
                endpoints:
                  - {id: c1, address: "h:6", region: eu-west, jurisdiction: UK, cost: 2.5}
                  - {id: c2, address: "h:7", region: eu-west, cost: 0}
                  - {id: c3, address: "h:8", region: us-east, cost: 1}
            routes:
              - name: eu
                cluster: smart
                residency:
                  allow: {EU: [EU], UK: [UK, EU]}
                  unknown: EU
                  status: 451
                score: {latency: 2, cost: 0.5}
                decision_header: true
              - name: rest
                cluster: edge
            """;

    @Test
    void mapsEveryRoutingKey() {
        MeridianConfig c = ConfigLoader.parse("routing.yaml", ROUTING).orThrow();

        assertThat(c.geo()).isEqualTo(new GeoConfig("x-client-region", List.of("203.0.113.0/24", "2001:db8::/32"),
                List.of(new GeoCidr("10.1.0.0/16", "eu-west", null, null, Double.NaN, Double.NaN),
                        new GeoCidr("2001:db8:1::/48", null, "GB", "UK", 51.5, -0.12),
                        new GeoCidr("192.0.2.0/24", null, "NO", null, Double.NaN, Double.NaN)),
                null));
        assertThat(c.cluster("sessions").hash()).isEqualTo(new HashConfig(HashKeyKind.COOKIE, "session", 1.25, 65_537));
        assertThat(c.cluster("users").hash()).isEqualTo(new HashConfig(HashKeyKind.HEADER, "x-user-id", 0, 4096));
        assertThat(c.cluster("edge").geo()).isEqualTo(new GeoPolicyConfig(Policy.LEAST_REQUEST, 80,
                Map.of("eu-west", 20, "us-east", -10)));
        assertThat(c.cluster("edge").hash()).isEqualTo(HashConfig.CLIENT_IP);
        assertThat(c.cluster("sticky-edge").geo()).isEqualTo(new GeoPolicyConfig(Policy.MAGLEV, 0, Map.of()));
        assertThat(c.cluster("sticky-edge").hash()).isEqualTo(new HashConfig(HashKeyKind.CLIENT_IP, null, 0, 251));
        assertThat(c.cluster("smart").endpoints()).extracting(EndpointConfig::id, EndpointConfig::jurisdiction,
                EndpointConfig::cost).containsExactly(tuple("c1", "UK", 2.5), tuple("c2", null, 0.0),
                tuple("c3", null, 1.0));
        RouteConfig eu = c.routes().get(0);
        assertThat(eu.residency()).isEqualTo(new ResidencyConfig(Map.of("EU", List.of("EU"), "UK", List.of("UK", "EU")),
                "EU", 451));
        assertThat(eu.score()).isEqualTo(new ScoreWeights(2, 1, 1, 1, 0.5));
        assertThat(eu.decisionHeader()).isTrue();
    }

    @Test
    void leftOutRoutingKeysTakeTheirDefaults() {
        MeridianConfig c = ConfigLoader.parse("min.yaml", """
                listeners: [{address: 127.0.0.1, port: 8080}]
                regions: [{name: r, jurisdiction: US, latitude: 0, longitude: 0}]
                clusters:
                  - {name: c, endpoints: [{id: e, address: "h:1", region: r}]}
                  - {name: g, policy: geo, geo: {}, endpoints: [{id: f, address: "h:2", region: r}]}
                  - {name: s, policy: score, endpoints: [{id: s, address: "h:3", region: r}]}
                routes:
                  - {cluster: c}
                  - {cluster: c, residency: {allow: {US: [US]}}}
                  - {cluster: s, score: {errors: 0}, decision_header: false}
                """).orThrow();

        assertThat(c.geo()).isEqualTo(GeoConfig.NONE);
        assertThat(c.cluster("c").hash()).isEqualTo(HashConfig.CLIENT_IP);
        assertThat(c.cluster("c").geo()).isEqualTo(GeoPolicyConfig.DEFAULT);
        assertThat(c.cluster("g").geo()).isEqualTo(GeoPolicyConfig.DEFAULT);
        assertThat(c.cluster("c").endpoints().get(0)).isEqualTo(
                new EndpointConfig("e", "h", 1, "r", null, 100, 0, 0, null, 0));
        RouteConfig plain = c.routes().get(0);
        assertThat(plain.residency()).isNull();
        assertThat(plain.score()).isEqualTo(ScoreWeights.DEFAULT);
        assertThat(plain.decisionHeader()).isFalse();
        assertThat(c.routes().get(1).residency())
                .isEqualTo(new ResidencyConfig(Map.of("US", List.of("US")), ResidencyConfig.DENY, 503));
        assertThat(c.routes().get(2).score()).isEqualTo(new ScoreWeights(1, 1, 0, 1, 1));
    }

    @Test
    void splitArmWithoutWeightNeedNotMeetTheRules() {
        ConfigResult result = ConfigLoader.parse("split.yaml", """
                listeners: [{address: 127.0.0.1, port: 8080}]
                regions:
                  - {name: us-east, jurisdiction: US, latitude: 39, longitude: -77}
                  - {name: eu-west, jurisdiction: EU, latitude: 53, longitude: -6}
                clusters:
                  - {name: eu, endpoints: [{id: e, address: "h:1", region: eu-west}]}
                  - {name: us, endpoints: [{id: u, address: "h:2", region: us-east}]}
                routes:
                  - split: [{cluster: eu, weight: 1}, {cluster: us, weight: 0}]
                    residency: {allow: {EU: [EU]}, unknown: EU}
                """);

        assertThat(result.problems()).isEmpty();
    }

    @Test
    void anEndpointsOwnJurisdictionOverridesItsRegions() {
        String yaml = """
                listeners: [{address: 127.0.0.1, port: 8080}]
                regions: [{name: eu-west, jurisdiction: EU, latitude: 53, longitude: -6}]
                clusters: [{name: c, endpoints: [{id: e, address: "h:1", region: eu-west, jurisdiction: UK}]}]
                routes: [{cluster: c, residency: {allow: {EU: [EU]}}}]
                """;

        assertThat(ConfigLoader.parse("own.yaml", yaml).problems()).extracting(ConfigProblem::message)
                .containsExactly("no endpoint of cluster 'c' can serve EU clients: none is in EU");
        assertThat(ConfigLoader.parse("own.yaml", yaml.replace("[EU]", "[EU, UK]")).problems()).isEmpty();
    }

    @Test
    void maxmindDatabaseIsFoundBesideTheConfigAndStoredResolved(@TempDir Path dir) throws IOException {
        Path config = Files.createDirectories(dir.resolve("conf")).resolve("meridian.yaml");
        Path database = Files.writeString(dir.resolve("conf/GeoLite2-City.mmdb"), "not read by the loader");
        Files.writeString(config, InvalidRoutingConfigTest.BASE + "geo:\n  maxmind_database: GeoLite2-City.mmdb\n");

        ConfigResult result = ConfigLoader.load(config);

        assertThat(result.problems()).isEmpty();
        assertThat(Path.of(result.config().geo().maxmindDatabase())).isEqualTo(database.toAbsolutePath());
    }

    @Test
    void maxmindDatabaseMissingBesideTheConfigIsReportedWithItsResolvedPath(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("meridian.yaml");
        Files.writeString(config, InvalidRoutingConfigTest.BASE + "geo:\n  maxmind_database: ../geo/City.mmdb\n");

        ConfigResult result = ConfigLoader.load(config);

        Path expected = dir.toAbsolutePath().getParent().resolve("geo/City.mmdb");
        assertThat(result.describeProblems()).isEqualTo(config + ":21:21: maxmind_database " + expected
                + " does not exist (a GeoIP2 or GeoLite2 City or Country .mmdb file; a relative path starts from"
                + " the config file's directory, " + dir.toAbsolutePath() + ")");
    }

    @Test
    void unreadableMaxmindDatabaseIsReported(@TempDir Path dir) throws IOException {
        Path database = Files.writeString(dir.resolve("City.mmdb"), "x");
        Files.setPosixFilePermissions(database, PosixFilePermissions.fromString("---------"));
        assumeThat(Files.isReadable(database)).as("permissions bind this user (not root)").isFalse();

        ConfigResult result = ConfigLoader.parse("t.yaml", InvalidRoutingConfigTest.BASE
                + "geo:\n  maxmind_database: " + database + "\n");

        assertThat(result.problems()).extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::message)
                .containsExactly(tuple(21, 21, "maxmind_database " + database + " is not readable"));
    }

    @Test
    void sectionsOfTheWrongShapeAreReportedAndBindingGoesOn() {
        ConfigResult result = ConfigLoader.parse("shapes.yaml", InvalidRoutingConfigTest.BASE
                .replace("policy: weighted", "policy: maglev\n    hash: [client_ip]\n    geo: 5")
                .replace("        region: eu-west\n", "        region: eu-west\n        cost: [1]\n")
                .replace("    cluster: api\n", "    cluster: api\n    residency: deny\n    score: [1]\n"
                        + "geo:\n  trusted_sources: 10.0.0.0/8\n  cidrs: {cidr: 10.0.0.0/8}\n  maxmind_database: [a]\n"));

        assertThat(result.problems()).extracting(ConfigProblem::line, ConfigProblem::message).containsExactly(
                tuple(10, "expected a map for 'hash', got a list"),
                tuple(11, "expected a map for 'geo', got an integer '5'"),
                tuple(19, "expected a number for 'cost', got a list"),
                tuple(23, "expected a map for 'residency', got a string 'deny'"),
                tuple(24, "expected a map for 'score', got a list"),
                tuple(26, "expected a list for 'trusted_sources', got a string '10.0.0.0/8'"),
                tuple(27, "expected a list of CIDR locations, got a map"),
                tuple(28, "expected a string for 'maxmind_database', got a list"));
    }

    @Test
    void everyRoutingMistakeIsReportedAtOnceInFileOrder() {
        ConfigResult result = ConfigLoader.parse("many.yaml", ROUTING
                .replace("table_size: 65537", "table_size: 65536")
                .replace("bias: {eu-west: 20, us-east: -10}", "bias: {eu-west: 20, us-west: -10}")
                .replace("capacity: 50", "zone: b")
                .replace("UK: [UK, EU]", "UK: [CH]")
                .replace("status: 451", "status: 404"));

        assertThat(result.problems()).extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::message)
                .containsExactly(
                        tuple(15, 61, "maglev table_size 65536 is not a prime"),
                        tuple(25, 22, "spill_at_load needs a capacity on every endpoint; none on e2"),
                        tuple(26, 27, "unknown region 'us-west'"),
                        tuple(45, 25, "no endpoint of cluster 'smart' can serve UK clients: none is in CH"),
                        tuple(47, 15, "expected 503 or 451 for 'status', got an integer '404'"));
    }

    @Test
    void nearestPrimesStayWithinTheAllowedSizes() {
        assertThat(RoutingPolicyBinder.nearestPrimes(65_536)).isEqualTo("65521 or 65537");
        assertThat(RoutingPolicyBinder.nearestPrimes(1)).isEqualTo("2");
        assertThat(RoutingPolicyBinder.nearestPrimes(RoutingPolicyBinder.MAX_TABLE_SIZE)).isEqualTo("8388593");
        assertThat(RoutingPolicyBinder.isPrime(HashConfig.DEFAULT_MAGLEV_TABLE)).isTrue();
    }
}
