package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String FULL = """
            listeners:
              - name: main
                address: 0.0.0.0
                port: 8080
              - address: "::1"
                port: 0
            admin:
              address: localhost
              port: 9902
            server:
              max_request_line: 512B
              max_header_size: 1MiB
              keepalive_timeout: 1m30s
              shutdown_grace: 0s
            regions:
              - name: us-east
                jurisdiction: US
                latitude: 39.04
                longitude: -77
              - name: eu-west
                jurisdiction: EU
                latitude: 53.35
                longitude: -6.26
            clusters:
              - name: api
                policy: weighted
                pool:
                  max_connections_per_endpoint: 64
                  idle_timeout: 250ms
                endpoints:
                  - id: use1-a
                    address: 10.0.0.1:9001
                    region: us-east
                    zone: us-east-1a
                    weight: 250
                    priority: 1
                    capacity: 500
                  - id: euw1-a
                    address: "[fd00::1]:9002"
                    region: eu-west
              - name: web
                endpoints:
                  - id: web-1
                    address: web.internal:80
                    region: eu-west
                    weight: 0
            routes:
              - name: api
                match:
                  host: "*.Example.COM"
                  path_prefix: /api
                  headers:
                    - name: X-Canary
                      value: 1
                    - name: x-debug
                cluster: api
                timeouts:
                  connect: 2s
                  response_header: 1h
                  idle: 45s
              - match:
                  path: /exact
                split:
                  - cluster: api
                    weight: 90
                  - cluster: web
                    weight: 10
            """;

    @Test
    void mapsEveryField() {
        MeridianConfig c = ConfigLoader.parse("full.yaml", FULL).orThrow();

        assertThat(c.source()).isEqualTo("full.yaml");
        assertThat(c.listeners()).containsExactly(
                new ListenerConfig("main", "0.0.0.0", 8080),
                new ListenerConfig("listener-1", "::1", 0));
        assertThat(c.admin()).isEqualTo(new AdminConfig("localhost", 9902));
        assertThat(c.server()).isEqualTo(new ServerConfig(512, 1 << 20, Duration.ofSeconds(90), Duration.ZERO));
        assertThat(c.regions()).containsExactly(
                new RegionConfig("us-east", "US", 39.04, -77),
                new RegionConfig("eu-west", "EU", 53.35, -6.26));
        assertThat(c.clusters()).containsExactly(
                new ClusterConfig("api", Policy.WEIGHTED, new PoolConfig(64, Duration.ofMillis(250)), List.of(
                        new EndpointConfig("use1-a", "10.0.0.1", 9001, "us-east", "us-east-1a", 250, 1, 500),
                        new EndpointConfig("euw1-a", "fd00::1", 9002, "eu-west", null, 100, 0, 0))),
                new ClusterConfig("web", Policy.WEIGHTED, PoolConfig.DEFAULT, List.of(
                        new EndpointConfig("web-1", "web.internal", 80, "eu-west", null, 0, 0, 0))));
        assertThat(c.routes()).containsExactly(
                new RouteConfig("api",
                        new RouteMatch("*.example.com", "/api", null,
                                List.of(new HeaderMatch("X-Canary", "1"), new HeaderMatch("x-debug", null))),
                        "api", List.of(),
                        new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofHours(1), Duration.ofSeconds(45))),
                new RouteConfig("route-1", new RouteMatch(null, null, "/exact", List.of()), null,
                        List.of(new WeightedCluster("api", 90), new WeightedCluster("web", 10)),
                        TimeoutsConfig.DEFAULT));
        assertThat(c.cluster("api").endpoints().get(1).authority()).isEqualTo("[fd00::1]:9002");
    }

    @Test
    void appliesDefaultsToEverythingLeftOut() {
        MeridianConfig c = ConfigLoader.parse("min.yaml", """
                listeners: [{address: 127.0.0.1, port: 8080}]
                regions: [{name: r, jurisdiction: US, latitude: 0, longitude: 0}]
                clusters: [{name: c, endpoints: [{id: e, address: "localhost:9001", region: r}]}]
                routes: [{cluster: c}]
                """).orThrow();

        assertThat(c.listeners()).containsExactly(new ListenerConfig("listener-0", "127.0.0.1", 8080));
        assertThat(c.admin()).isEqualTo(AdminConfig.DEFAULT);
        assertThat(c.server()).isEqualTo(ServerConfig.DEFAULT);
        assertThat(c.clusters()).containsExactly(new ClusterConfig("c", Policy.WEIGHTED, PoolConfig.DEFAULT,
                List.of(new EndpointConfig("e", "localhost", 9001, "r", null, 100, 0, 0))));
        assertThat(c.routes()).containsExactly(
                new RouteConfig("route-0", RouteMatch.ANY, "c", List.of(), TimeoutsConfig.DEFAULT));
    }

    private static final String RESILIENCE = """
            listeners: [{address: 127.0.0.1, port: 8080}]
            regions: [{name: r, jurisdiction: US, latitude: 0, longitude: 0}]
            clusters:
              - name: api
                endpoints: [{id: e, address: "h:1", region: r}]
                health_check:
                  type: http
                  method: HEAD
                  path: /healthz
                  host: api.internal
                  expected_statuses: [200-299, 304, "418"]
                  body_contains: ok
                  interval: 100ms
                  timeout: 50ms
                  jitter: 10ms
                  healthy_threshold: 3
                  unhealthy_threshold: 4
                  no_traffic_interval: 5s
                outlier_detection:
                  consecutive_gateway_failures: 0
                  consecutive_5xx: 7
                  failure_percentage:
                    threshold: 40
                    minimum_requests: 10
                    window: 30s
                  latency:
                    p99_threshold: 500ms
                    minimum_requests: 50
                    window: 20s
                    degraded_weight_percent: 10
                  base_ejection_time: 2s
                  max_ejection_time: 1m
                  max_ejection_percent: 34
                  always_eject_one: true
                slow_start:
                  window: 0s
                  floor_percent: 5
                priority:
                  overprovisioning_factor: 2
                  panic_threshold: 0
                status_thresholds:
                  healthy: 100
                  degraded: 1
                  critical: 0
                retry_budget:
                  percent: 0
                  min_concurrent: 0
              - name: tcp
                endpoints: [{id: t, address: "h:2", region: r}]
                health_check:
                  type: tcp
                  interval: 50ms
            routes:
              - cluster: api
                retries:
                  max: 0
                  per_try_timeout: 2s
                  retry_on_503: true
                  backoff_base: 0s
                  backoff_max: 0s
                  buffer_limit: 0
                  hedge:
                    enabled: false
                    min_delay: 5ms
                    p99_multiplier: 1.5
              - cluster: tcp
                retries:
                  buffer_limit: 16MiB
            """;

    @Test
    void mapsEveryHealthAndRetryKey() {
        MeridianConfig c = ConfigLoader.parse("resilience.yaml", RESILIENCE).orThrow();

        ClusterConfig api = c.cluster("api");
        assertThat(api.healthCheck()).isEqualTo(new HealthCheckConfig(HealthCheckConfig.Type.HTTP, "HEAD", "/healthz",
                "api.internal", List.of(new StatusRange(200, 299), new StatusRange(304, 304),
                        new StatusRange(418, 418)), "ok", Duration.ofMillis(100), Duration.ofMillis(50),
                Duration.ofMillis(10), 3, 4, Duration.ofSeconds(5)));
        assertThat(api.outlier()).isEqualTo(new OutlierConfig(0, 7,
                new OutlierConfig.FailureRateConfig(40, 10, Duration.ofSeconds(30)),
                new OutlierConfig.LatencyConfig(Duration.ofMillis(500), 50, Duration.ofSeconds(20), 10),
                Duration.ofSeconds(2), Duration.ofMinutes(1), 34, true));
        assertThat(api.slowStart()).isEqualTo(new SlowStartConfig(Duration.ZERO, 5));
        assertThat(api.priority()).isEqualTo(new PriorityConfig(2.0, 0));
        assertThat(api.statusThresholds()).isEqualTo(new StatusThresholds(100, 1, 0));
        assertThat(api.retryBudget()).isEqualTo(new RetryBudgetConfig(0, 0));
        assertThat(c.routes().get(0).retries()).isEqualTo(new RetryConfig(0, Duration.ofSeconds(2), true,
                Duration.ZERO, Duration.ZERO, 0, new RetryConfig.HedgeConfig(false, Duration.ofMillis(5), 1.5)));
        assertThat(c.routes().get(1).retries().bufferLimitBytes()).isEqualTo(16 << 20);
    }

    @Test
    void tcpCheckKeepsTheHttpDefaultsItIgnores() {
        HealthCheckConfig d = HealthCheckConfig.httpDefaults();

        HealthCheckConfig tcp = ConfigLoader.parse("resilience.yaml", RESILIENCE).orThrow().cluster("tcp").healthCheck();

        assertThat(tcp).isEqualTo(new HealthCheckConfig(HealthCheckConfig.Type.TCP, d.method(), d.path(), null,
                d.expectedStatuses(), null, Duration.ofMillis(50), d.timeout(), d.jitter(), d.healthyThreshold(),
                d.unhealthyThreshold(), null));
    }

    @Test
    void clusterWithoutHealthSectionsHasNoActiveChecksAndEveryDefault() {
        MeridianConfig c = ConfigLoader.parse("min.yaml", """
                listeners: [{address: 127.0.0.1, port: 8080}]
                regions: [{name: r, jurisdiction: US, latitude: 0, longitude: 0}]
                clusters: [{name: c, health_check: , endpoints: [{id: e, address: "h:1", region: r}]}]
                routes: [{cluster: c}]
                """).orThrow();

        ClusterConfig cluster = c.cluster("c");
        assertThat(cluster.healthCheck()).isNull();
        assertThat(cluster.outlier()).isEqualTo(OutlierConfig.DEFAULT);
        assertThat(cluster.slowStart()).isEqualTo(SlowStartConfig.DEFAULT);
        assertThat(cluster.priority()).isEqualTo(PriorityConfig.DEFAULT);
        assertThat(cluster.statusThresholds()).isEqualTo(StatusThresholds.DEFAULT);
        assertThat(cluster.retryBudget()).isEqualTo(RetryBudgetConfig.DEFAULT);
        assertThat(c.routes().get(0).retries()).isEqualTo(RetryConfig.DEFAULT);
    }

    @Test
    void emptySectionsTakeTheirDefaults() {
        MeridianConfig c = ConfigLoader.parse("empty.yaml", """
                listeners: [{address: 127.0.0.1, port: 8080}]
                regions: [{name: r, jurisdiction: US, latitude: 0, longitude: 0}]
                clusters:
                  - name: c
                    endpoints: [{id: e, address: "h:1", region: r}]
                    health_check: {}
                    outlier_detection: {failure_percentage: {}, latency: {p99_threshold: 1s}}
                    slow_start: {}
                    priority: {}
                    status_thresholds: {}
                    retry_budget: {}
                routes: [{cluster: c, retries: {hedge: {enabled: false}}}]
                """).orThrow();

        ClusterConfig cluster = c.cluster("c");
        assertThat(cluster.healthCheck()).isEqualTo(HealthCheckConfig.httpDefaults());
        assertThat(cluster.outlier()).isEqualTo(new OutlierConfig(1, 5, OutlierConfig.FailureRateConfig.DEFAULT,
                new OutlierConfig.LatencyConfig(Duration.ofSeconds(1), 20, Duration.ofSeconds(10), 25),
                Duration.ofSeconds(1), Duration.ofSeconds(30), 50, false));
        assertThat(cluster).isEqualTo(new ClusterConfig("c", Policy.WEIGHTED, PoolConfig.DEFAULT,
                cluster.endpoints(), HealthCheckConfig.httpDefaults(), cluster.outlier(), SlowStartConfig.DEFAULT,
                PriorityConfig.DEFAULT, StatusThresholds.DEFAULT, RetryBudgetConfig.DEFAULT));
        assertThat(c.routes().get(0).retries()).isEqualTo(new RetryConfig(2, null, false, Duration.ofMillis(25),
                Duration.ofMillis(250), 64 * 1024, RetryConfig.HedgeConfig.OFF));
    }

    @Test
    void valuesAlreadyWrongAreNotBlamedAgainForBreakingAnOrder() {
        ConfigResult result = ConfigLoader.parse("order.yaml", RESILIENCE
                .replace("healthy: 100", "healthy: 101")
                .replace("degraded: 1", "degraded: 99")
                .replace("max_ejection_time: 1m", "max_ejection_time: 1")
                .replace("interval: 100ms", "interval: 1x"));

        assertThat(result.problems()).extracting(ConfigProblem::message).containsExactly(
                "bad duration '1x'",
                "duration 1 has no unit",
                "healthy 101 out of range");
    }

    @Test
    void everyMistakeInTheNewSectionsIsReportedAtOnce() {
        ConfigResult result = ConfigLoader.parse("many.yaml", RESILIENCE
                .replace("type: tcp", "type: tcp\n      path: /\n      body_contains: up")
                .replace("expected_statuses: [200-299, 304, \"418\"]", "expected_statuses: [99, 2xx, 300-200]")
                .replace("p99_multiplier: 1.5", "p99_multipler: 1.5"));

        assertThat(result.problems()).extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::message)
                .containsExactly(
                        tuple(11, 27, "status 99 out of range"),
                        tuple(11, 31, "bad status '2xx'"),
                        tuple(11, 36, "status range '300-200' is reversed"),
                        tuple(52, 7, "'path' does not apply to a tcp health check"),
                        tuple(53, 7, "'body_contains' does not apply to a tcp health check"),
                        tuple(67, 9, "unknown key 'p99_multipler' in a hedge"));
    }

    @Test
    void keysLeftOutOfAPartialSectionKeepTheirDefaults() {
        MeridianConfig c = ConfigLoader.parse("partial.yaml", """
                listeners: [{address: 127.0.0.1, port: 8080}]
                admin: {port: 0}
                server: {max_header_size: 16384}
                regions: [{name: r, jurisdiction: US, latitude: 0, longitude: 0}]
                clusters: [{name: c, pool: {idle_timeout: 5s}, endpoints: [{id: e, address: "h:1", region: r}]}]
                routes: [{cluster: c, timeouts: {idle: 2m}}]
                """).orThrow();

        assertThat(c.admin()).isEqualTo(new AdminConfig("127.0.0.1", 0));
        assertThat(c.server()).isEqualTo(new ServerConfig(8192, 16384, Duration.ofSeconds(75), Duration.ofSeconds(30)));
        assertThat(c.clusters().get(0).pool()).isEqualTo(new PoolConfig(1024, Duration.ofSeconds(5)));
        assertThat(c.routes().get(0).timeouts())
                .isEqualTo(new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofMinutes(2)));
    }

    @Test
    void upstreamHardeningKeysAreRead() {
        MeridianConfig c = ConfigLoader.parse("hardening.yaml", """
                listeners: [{address: 127.0.0.1, port: 8080}]
                regions: [{name: r, jurisdiction: US, latitude: 0, longitude: 0}]
                clusters: [{name: c, pool: {max_response_header_size: 16KiB}, endpoints: [{id: e, address: "h:1",
                  region: r}]}]
                routes:
                  - {cluster: c, timeouts: {min_response_rate: 1KiB/s}}
                  - {cluster: c, timeouts: {min_response_rate: 0B/s}}
                  - {cluster: c}
                """).orThrow();

        assertThat(c.clusters().get(0).pool().maxResponseHeaderBytes()).isEqualTo(16 * 1024);
        assertThat(c.routes().get(0).timeouts().minResponseRate()).isEqualTo(1024);
        assertThat(c.routes().get(1).timeouts().minResponseRate()).isZero();
        assertThat(c.routes().get(2).timeouts().minResponseRate())
                .isEqualTo(TimeoutsConfig.DEFAULT_MIN_RESPONSE_RATE);
    }

    @Test
    void shippedExamplesAreValid() {
        for (String name : List.of("minimal.yaml", "three-regions.yaml")) {
            ConfigResult result = ConfigLoader.load(Path.of("..", "examples", name));
            assertThat(result.problems()).as(name).isEmpty();
            assertThat(result.config().source()).endsWith(name);
        }
    }

    @Test
    void minimalExampleIsWhatItSaysItIs() {
        MeridianConfig c = ConfigLoader.load(Path.of("../examples/minimal.yaml")).orThrow();

        assertThat(c.listeners()).containsExactly(new ListenerConfig("main", "127.0.0.1", 8080));
        assertThat(c.regions()).hasSize(1);
        assertThat(c.clusters()).singleElement().satisfies(cluster -> assertThat(cluster.endpoints())
                .extracting(EndpointConfig::authority).containsExactly("127.0.0.1:9001", "127.0.0.1:9002"));
        assertThat(c.routes()).singleElement().satisfies(r -> assertThat(r.match()).isEqualTo(RouteMatch.ANY));
    }

    @Test
    void threeRegionsExampleUsesEveryPartOfTheSchema() {
        MeridianConfig c = ConfigLoader.load(Path.of("../examples/three-regions.yaml")).orThrow();

        assertThat(c.regions()).extracting(RegionConfig::name, RegionConfig::jurisdiction)
                .containsExactly(tuple("us-east", "US"),
                        tuple("eu-west", "EU"),
                        tuple("ap-southeast", "SG"));
        assertThat(c.clusters().get(0).failover()).singleElement().satisfies(f -> {
            assertThat(f.strategy()).isEqualTo(FailoverStrategy.GRADUAL);
            assertThat(f.trigger()).isEqualTo(FailoverTrigger.CRITICAL);
            assertThat(f.steps()).containsExactly(10, 50, 100);
        });
        List<RouteConfig> routes = c.routes();
        assertThat(routes).anySatisfy(r -> assertThat(r.match().path()).isNotNull());
        assertThat(routes).anySatisfy(r -> assertThat(r.match().pathPrefix()).isNotNull());
        assertThat(routes).anySatisfy(r -> assertThat(r.match().host()).startsWith("*."));
        assertThat(routes).anySatisfy(r -> assertThat(r.match().headers()).isNotEmpty());
        assertThat(routes).anySatisfy(r -> assertThat(r.split()).hasSizeGreaterThan(1));
        assertThat(routes).anySatisfy(r -> assertThat(r.timeouts()).isNotEqualTo(TimeoutsConfig.DEFAULT));
        assertThat(c.clusters()).flatExtracting(ClusterConfig::endpoints).extracting(EndpointConfig::priority)
                .contains(0, 1, 2);
        ClusterConfig api = c.cluster("api");
        assertThat(api.healthCheck()).isNotNull().isNotEqualTo(HealthCheckConfig.httpDefaults());
        assertThat(api.healthCheck().noTrafficInterval()).isNotNull();
        assertThat(api.outlier().failureRate()).isNotNull();
        assertThat(api.outlier().latency()).isNotNull();
        assertThat(api.slowStart()).isNotEqualTo(SlowStartConfig.DEFAULT);
        assertThat(api.priority()).isEqualTo(PriorityConfig.DEFAULT);
        assertThat(api.statusThresholds()).isEqualTo(StatusThresholds.DEFAULT);
        assertThat(api.retryBudget()).isEqualTo(RetryBudgetConfig.DEFAULT);
        assertThat(routes).anySatisfy(r -> {
            assertThat(r.retries().perTryTimeout()).isNotNull();
            assertThat(r.retries().hedge().enabled()).isTrue();
        });
        assertThat(c.clusters()).extracting(ClusterConfig::policy)
                .contains(Policy.WEIGHTED, Policy.GEO, Policy.MAGLEV, Policy.SCORE);
        assertThat(c.cluster("sessions").hash()).isNotEqualTo(HashConfig.CLIENT_IP);
        assertThat(c.cluster("sessions").hash().boundedLoadFactor()).isGreaterThan(1);
        GeoPolicyConfig geo = c.cluster("static").geo();
        assertThat(geo.within()).isNotEqualTo(Policy.WEIGHTED);
        assertThat(geo.spillAtLoadPercent()).isPositive();
        assertThat(geo.bias()).isNotEmpty();
        assertThat(c.clusters()).flatExtracting(ClusterConfig::endpoints)
                .anySatisfy(e -> assertThat(e.jurisdiction()).isNotNull())
                .anySatisfy(e -> assertThat(e.cost()).isPositive());
        assertThat(routes).anySatisfy(r -> {
            assertThat(r.residency()).isNotNull();
            assertThat(r.residency().allow()).hasSizeGreaterThan(1);
            assertThat(r.score()).isNotEqualTo(ScoreWeights.DEFAULT);
            assertThat(r.decisionHeader()).isTrue();
        });
        assertThat(c.geo().trustedHeader()).isNotNull();
        assertThat(c.geo().trustedSources()).isNotEmpty();
        assertThat(c.geo().cidrs()).anySatisfy(g -> assertThat(g.region()).isNotNull())
                .anySatisfy(g -> assertThat(g.latitude()).isNotNaN());
    }

    @Test
    void reportsEveryProblemAtOnceInFileOrder() {
        ConfigResult result = ConfigLoader.parse("three.yaml", """
                listeners:
                  - address: 127.0.0.1
                    port: 8080
                regions:
                  - name: us-east
                    jurisdiction: US
                    latitude: 39
                    longitude: -77
                clusters:
                  - name: api
                    endpoints:
                      - id: a
                        address: 127.0.0.1:9001
                        region: us-east
                        wieght: 5
                routes:
                  - cluster: apii
                    timeouts:
                      connect: 5
                """);

        assertThat(result.ok()).isFalse();
        assertThat(result.problems()).extracting(ConfigProblem::line, ConfigProblem::column, ConfigProblem::message)
                .containsExactly(
                        tuple(15, 9, "unknown key 'wieght' in an endpoint"),
                        tuple(17, 14, "unknown cluster 'apii'"),
                        tuple(19, 16, "duration 5 has no unit"));
    }

    @Test
    void formatsProblemsAsFileLineColumnMessageHint() {
        ConfigResult result = ConfigLoader.parse("conf/meridian.yaml", InvalidConfigTest.BASE.replace(
                "weight: 100", "weight: 20000"));

        assertThat(result.describeProblems())
                .isEqualTo("conf/meridian.yaml:16:17: weight 20000 out of range (0..10000)");
        assertThatThrownBy(result::orThrow).isInstanceOf(InvalidConfigException.class)
                .hasMessage("1 problem(s) in config:\nconf/meridian.yaml:16:17: weight 20000 out of range (0..10000)");
    }

    @Test
    void unreadableFileIsOneProblemAtTheStart(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");

        ConfigResult result = ConfigLoader.load(missing);

        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(missing.toString());
            assertThat(p.line()).isEqualTo(1);
            assertThat(p.column()).isEqualTo(1);
            assertThat(p.message()).isEqualTo("cannot read config: no such file");
        });
    }

    @Test
    void fileProblemsNameThePath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, InvalidConfigTest.BASE.replace("port: 8080", "port: -1"));

        ConfigResult result = ConfigLoader.load(file);

        assertThat(result.describeProblems()).isEqualTo(file + ":4:11: port -1 out of range (0..65535)");
    }

    @Test
    void syntaxErrorIsReportedWhereTheParserFoundIt() {
        ConfigResult result = ConfigLoader.parse("s.yaml", "listeners:\n  - name: a\n    port: 1: 2\n");

        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.message()).isEqualTo("YAML syntax error: mapping values are not allowed here");
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.column()).isEqualTo(12);
        });
    }

    @Test
    void unclosedFlowListIsASyntaxError() {
        ConfigResult result = ConfigLoader.parse("s.yaml", "listeners: [a, b\nroutes: []\n");

        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.message()).startsWith("YAML syntax error: ");
            assertThat(p.hint()).contains("flow sequence").contains("line 1");
            assertThat(p.line()).isEqualTo(2);
        });
    }

    @Test
    void emptyFileIsOneClearProblem() {
        for (String empty : List.of("", "# nothing yet\n", "\n\n")) {
            assertThat(ConfigLoader.parse("e.yaml", empty).describeProblems()).isEqualTo(
                    "e.yaml:1:1: empty config (expected a map with listeners, regions, clusters and routes)");
        }
    }

    @Test
    void topLevelListIsOneClearProblem() {
        assertThat(ConfigLoader.parse("l.yaml", "- listeners\n- routes\n").describeProblems()).isEqualTo(
                "l.yaml:1:1: expected a map at the top level, got a list"
                        + " (a config is a map with listeners, regions, clusters and routes)");
    }

    @Test
    void topLevelScalarIsOneClearProblem() {
        assertThat(ConfigLoader.parse("s.yaml", "hello\n").problems()).singleElement()
                .satisfies(p -> assertThat(p.message()).isEqualTo("expected a map at the top level, got a string"));
    }

    @Test
    void secondDocumentIsRefused() {
        ConfigResult result = ConfigLoader.parse("d.yaml", InvalidConfigTest.BASE + "---\nlisteners: []\n");

        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.message()).isEqualTo("more than one YAML document");
            assertThat(p.line()).isEqualTo(21);
        });
    }

    @Test
    void missingSectionsAreReportedAtTheTopLevelMap() {
        ConfigResult result = ConfigLoader.parse("m.yaml", "admin:\n  port: 9901\n");

        assertThat(result.problems()).extracting(ConfigProblem::format).containsExactly(
                "m.yaml:1:1: missing required key 'listeners' (a config needs listeners, regions, clusters, routes)",
                "m.yaml:1:1: missing required key 'regions' (a config needs listeners, regions, clusters, routes)",
                "m.yaml:1:1: missing required key 'clusters' (a config needs listeners, regions, clusters, routes)",
                "m.yaml:1:1: missing required key 'routes' (a config needs listeners, regions, clusters, routes)");
    }
}
