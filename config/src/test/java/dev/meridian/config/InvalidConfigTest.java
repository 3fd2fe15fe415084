package dev.meridian.config;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One mistake per case, made by editing {@link #BASE} in one place, and the one problem it must produce: message,
 * hint, line and column.
 */
class InvalidConfigTest {

    /** Valid as it stands; the line numbers on the right are what the expected positions below refer to. */
    static final String BASE = """
            listeners:
              - name: main
                address: 127.0.0.1
                port: 8080
            regions:
              - name: us-east
                jurisdiction: US
                latitude: 39.0
                longitude: -77.5
            clusters:
              - name: api
                endpoints:
                  - id: a
                    address: 127.0.0.1:9001
                    region: us-east
                    weight: 100
            routes:
              - name: all
                cluster: api
            """;
    // Lines: 1 listeners, 2 name: main, 3 address, 4 port, 5 regions, 6 name: us-east, 7 jurisdiction, 8 latitude,
    // 9 longitude, 10 clusters, 11 name: api, 12 endpoints, 13 id: a, 14 address, 15 region, 16 weight, 17 routes,
    // 18 name: all, 19 cluster: api.

    private static final String SECOND_CLUSTER = """
              - name: web
                endpoints:
                  - id: b
                    address: 127.0.0.1:9002
                    region: us-east
            routes:
            """;

    static Stream<Arguments> cases() {
        return Stream.of(
                mistake("misspelt key", "    weight: 100", "    wieght: 100",
                        16, 9, "unknown key 'wieght' in an endpoint", "did you mean 'weight'? allowed keys: id, "),
                mistake("unknown top-level key", "    cluster: api\n", "    cluster: api\ntimeout: 5s\n",
                        20, 1, "unknown key 'timeout' in a config", "allowed keys: listeners, admin, server"),
                mistake("string for an integer", "port: 8080", "port: eighty",
                        4, 11, "expected an integer for 'port', got a string 'eighty'", "0..65535"),
                mistake("quoted integer", "weight: 100", "weight: \"100\"",
                        16, 17, "expected an integer for 'weight', got a string '100'", "written without quotes"),
                mistake("infinite latitude", "latitude: 39.0", "latitude: .inf",
                        8, 15, "expected a number for 'latitude', got a string '.inf'", "-90..90"),
                mistake("map where a list belongs", "      - id: a\n        address: 127.0.0.1:9001\n"
                                + "        region: us-east\n        weight: 100\n",
                        "      id: a\n      address: 127.0.0.1:9001\n      region: us-east\n",
                        13, 7, "expected a list of endpoints, got a map", "start each endpoint with '- '"),
                mistake("list item that is not a map", "  - name: main\n    address: 127.0.0.1\n    port: 8080\n",
                        "  - main\n", 2, 5, "expected each item of 'listeners' to be a map, got a string 'main'",
                        "a listener takes: name, address, port"),
                mistake("missing required key", "    address: 127.0.0.1\n", "",
                        2, 5, "missing required key 'address'", "a listener needs address, port"),
                mistake("key without a value", "    port: 8080", "    port:",
                        4, 5, "missing value for 'port'", "a listener needs address, port"),
                mistake("duplicate cluster name", "routes:\n", SECOND_CLUSTER.replace("web", "api"),
                        17, 11, "duplicate cluster name 'api'", "first declared at line 11"),
                mistake("endpoint id repeated in another cluster", "routes:\n",
                        SECOND_CLUSTER.replace("id: b", "id: a"),
                        19, 13, "duplicate endpoint id 'a'", "first declared at line 13"),
                mistake("duplicate region name", "clusters:\n",
                        "  - name: us-east\n    jurisdiction: US\n    latitude: 1\n    longitude: 1\nclusters:\n",
                        10, 11, "duplicate region name 'us-east'", "first declared at line 6"),
                mistake("YAML key given twice", "    port: 8080\n", "    port: 8080\n    port: 8081\n",
                        5, 5, "duplicate key 'port'", "first given at line 4"),
                mistake("route to an unknown cluster", "    cluster: api", "    cluster: apu",
                        19, 14, "unknown cluster 'apu'", "did you mean 'api'? declared clusters: api"),
                mistake("endpoint in an unknown region", "region: us-east", "region: eu-central",
                        15, 17, "unknown region 'eu-central'", "declared regions: us-east"),
                mistake("weight out of range", "weight: 100", "weight: 20000",
                        16, 17, "weight 20000 out of range", "0..10000"),
                mistake("priority out of range", "weight: 100", "priority: 10",
                        16, 19, "priority 10 out of range", "0..9"),
                mistake("capacity zero", "weight: 100", "capacity: 0",
                        16, 19, "capacity 0 out of range", ">= 1"),
                mistake("listener port out of range", "port: 8080", "port: 70000",
                        4, 11, "port 70000 out of range", "0..65535"),
                mistake("latitude out of range", "latitude: 39.0", "latitude: 91",
                        8, 15, "latitude 91 out of range", "-90..90"),
                mistake("longitude out of range", "longitude: -77.5", "longitude: -181.5",
                        9, 16, "longitude -181.5 out of range", "-180..180"),
                mistake("unparseable listener address", "address: 127.0.0.1\n", "address: 127.0.0.256\n",
                        3, 14, "unparseable address '127.0.0.256'", "an IPv4 or IPv6 literal"),
                mistake("endpoint address without a port", "127.0.0.1:9001", "127.0.0.1",
                        14, 18, "unparseable address '127.0.0.1'", "host:port"),
                mistake("endpoint port out of range", "127.0.0.1:9001", "127.0.0.1:99999",
                        14, 18, "port 99999 out of range", "1..65535"),
                mistake("duration with a spelt-out unit", "routes:\n",
                        "server:\n  keepalive_timeout: 5 sec\nroutes:\n",
                        18, 22, "bad duration '5 sec'", "e.g. 250ms, 2s, 1m, 1h or 1m30s"),
                mistake("duration without a unit", "routes:\n", "server:\n  shutdown_grace: 30\nroutes:\n",
                        18, 19, "duration 30 has no unit", "durations need a unit, e.g. 5s"),
                mistake("zero timeout", "    cluster: api\n", "    cluster: api\n    timeouts:\n      connect: 0s\n",
                        21, 16, "'connect' must be greater than zero", "e.g. 250ms"),
                mistake("size in decimal units", "routes:\n", "server:\n  max_header_size: 64KB\nroutes:\n",
                        18, 20, "bad size '64KB'", "512B, 8KiB, 1MiB"),
                mistake("rate without a period", "    cluster: api\n", "    cluster: api\n    timeouts:\n"
                                + "      min_response_rate: 1KiB\n",
                        21, 26, "bad rate '1KiB'", "a size followed by /s"),
                mistake("response header limit too small", "    endpoints:\n", "    pool:\n"
                                + "      max_response_header_size: 512B\n    endpoints:\n",
                        13, 33, "max_response_header_size 512B out of range", "1KiB..1MiB"),
                mistake("unknown policy", "    endpoints:\n", "    policy: round_robin\n    endpoints:\n",
                        12, 13, "unknown policy 'round_robin'", "allowed policies: weighted, random, least_request, latency"),
                mistake("empty routes", "routes:\n  - name: all\n    cluster: api\n", "routes: []\n",
                        17, 9, "'routes' is empty", "at least one route is required"),
                mistake("relative path prefix", "    cluster: api\n", "    cluster: api\n    match:\n"
                                + "      path_prefix: api\n", 21, 20, "path_prefix 'api' must start with '/'", "/api"),
                mistake("path and path prefix together", "    cluster: api\n", "    cluster: api\n    match:\n"
                                + "      path_prefix: /api\n      path: /api/v1\n",
                        22, 7, "'path' and 'path_prefix' cannot both be set", "keep one"),
                mistake("wildcard inside a host", "    cluster: api\n", "    cluster: api\n    match:\n"
                                + "      host: \"api.*.com\"\n",
                        21, 13, "invalid host pattern 'api.*.com'", "*.example.com"),
                mistake("host with a port", "    cluster: api\n", "    cluster: api\n    match:\n"
                                + "      host: api.example.com:8080\n",
                        21, 13, "invalid host pattern 'api.example.com:8080'", "without a port"),
                mistake("header name with a space", "    cluster: api\n", "    cluster: api\n    match:\n"
                                + "      headers:\n        - name: x canary\n",
                        22, 17, "invalid header name 'x canary'", "an HTTP token"),
                mistake("route without an action", "    cluster: api\n", "",
                        18, 5, "a route needs exactly one of 'cluster' or 'split'", "add 'cluster: <name>'"),
                mistake("route with both actions", "    cluster: api\n", "    cluster: api\n    split:\n"
                                + "      - cluster: api\n        weight: 1\n",
                        20, 5, "a route needs exactly one of 'cluster' or 'split'", "remove it or the 'split'"),
                mistake("split that sends nothing", "    cluster: api\n", "    split:\n      - cluster: api\n"
                                + "        weight: 0\n", 20, 7, "split weights sum to 0", "a weight above 0"),
                mistake("split arm out of range", "    cluster: api\n", "    split:\n      - cluster: api\n"
                                + "        weight: 10001\n", 21, 17, "weight 10001 out of range", "0..10000"),
                mistake("lower-case jurisdiction", "jurisdiction: US", "jurisdiction: us",
                        7, 19, "invalid jurisdiction 'us'", "upper-case code"),
                mistake("region name with capitals", "clusters:\n",
                        "  - name: EU West\n    jurisdiction: EU\n    latitude: 53\n    longitude: -6\nclusters:\n",
                        10, 11, "invalid region name 'EU West'", "lower-case letters, digits and '-'"),
                mistake("admin as a list", "routes:\n", "admin: [127.0.0.1, 9901]\nroutes:\n",
                        17, 8, "expected a map for 'admin', got a list",
                        "indent address, port, tokens, audit_log under 'admin:'"),
                mistake("YAML alias", "    weight: 100", "    zone: *x",
                        16, 15, "YAML aliases are not supported", "write the value out"),
                inCluster("misspelt cluster section", "    health_checks:\n      path: /\n",
                        17, 5, "unknown key 'health_checks' in a cluster", "did you mean 'health_check'?"),
                inCluster("health check as a scalar", "    health_check: true\n",
                        17, 19, "expected a map for 'health_check', got a boolean 'true'", "indent type, method"),
                inCluster("misspelt health check key", "    health_check:\n      intervall: 1s\n",
                        18, 7, "unknown key 'intervall' in a health check", "did you mean 'interval'?"),
                inCluster("unknown health check type", "    health_check:\n      type: grpc\n",
                        18, 13, "unknown health check type 'grpc'", "allowed types: http, tcp"),
                inCluster("http-only key on a tcp check", "    health_check:\n      type: tcp\n      path: /healthz\n",
                        19, 7, "'path' does not apply to a tcp health check", "only for type: http"),
                inCluster("relative health check path", "    health_check:\n      path: healthz\n",
                        18, 13, "path 'healthz' must start with '/'", "e.g. /healthz"),
                inCluster("lower-case method", "    health_check:\n      method: get\n",
                        18, 15, "method 'get' is not GET", "case-sensitive"),
                inCluster("method with a space", "    health_check:\n      method: \"GE T\"\n",
                        18, 15, "invalid method 'GE T'", "an HTTP token"),
                inCluster("reversed status range", "    health_check:\n      expected_statuses: [200-299, 399-300]\n",
                        18, 36, "status range '399-300' is reversed", "write the lower status first: 300-399"),
                inCluster("status out of range", "    health_check:\n      expected_statuses: [200-299, 600]\n",
                        18, 36, "status 600 out of range", "100..599"),
                inCluster("status class shorthand", "    health_check:\n      expected_statuses: [2xx]\n",
                        18, 27, "bad status '2xx'", "write it as a range: 200-299"),
                inCluster("status list item that is a map", "    health_check:\n      expected_statuses:\n"
                                + "        - from: 200\n",
                        19, 11, "expected a status or a range in 'expected_statuses', got a map", "200-299"),
                inCluster("no expected status", "    health_check:\n      expected_statuses: []\n",
                        18, 26, "'expected_statuses' is empty", "no check could pass"),
                inCluster("check interval below the minimum", "    health_check:\n      interval: 10ms\n",
                        18, 17, "interval 10ms out of range", ">= 50ms"),
                inCluster("no-traffic interval faster than the interval",
                        "    health_check:\n      interval: 2s\n      no_traffic_interval: 1s\n",
                        19, 28, "no_traffic_interval 1s is shorter than interval 2s", "at least the interval"),
                inCluster("healthy threshold zero", "    health_check:\n      healthy_threshold: 0\n",
                        18, 26, "healthy_threshold 0 out of range", "1..100"),
                inCluster("health check timeout zero", "    health_check:\n      timeout: 0s\n",
                        18, 16, "'timeout' must be greater than zero", "e.g. 250ms"),
                inCluster("latency detector without its threshold",
                        "    outlier_detection:\n      latency:\n        window: 5s\n",
                        19, 9, "missing required key 'p99_threshold'", "a latency detector needs p99_threshold"),
                inCluster("max ejection shorter than base",
                        "    outlier_detection:\n      base_ejection_time: 10s\n      max_ejection_time: 5s\n",
                        19, 26, "max_ejection_time 5s is shorter than base_ejection_time 10s", "grow from the base"),
                inCluster("base ejection beyond the default max",
                        "    outlier_detection:\n      base_ejection_time: 1m\n",
                        18, 27, "max_ejection_time 30s is shorter than base_ejection_time 1m",
                        "max_ejection_time defaults to 30s"),
                inCluster("failure percentage threshold zero",
                        "    outlier_detection:\n      failure_percentage:\n        threshold: 0\n",
                        19, 20, "threshold 0 out of range", "1..100"),
                inCluster("consecutive 5xx out of range", "    outlier_detection:\n      consecutive_5xx: 1001\n",
                        18, 24, "consecutive_5xx 1001 out of range", "0..1000"),
                inCluster("quoted boolean", "    outlier_detection:\n      always_eject_one: \"yes\"\n",
                        18, 25, "expected a boolean for 'always_eject_one', got a string 'yes'", "true or false"),
                inCluster("YAML 1.1 boolean word", "    outlier_detection:\n      always_eject_one: on\n",
                        18, 25, "expected true or false for 'always_eject_one', got 'on'", "write true or false"),
                inCluster("slow start floor zero", "    slow_start:\n      floor_percent: 0\n",
                        18, 22, "floor_percent 0 out of range", "1..100"),
                inCluster("overprovisioning below one", "    priority:\n      overprovisioning_factor: 0.5\n",
                        18, 32, "overprovisioning_factor 0.5 out of range", "1..10"),
                inCluster("status thresholds out of order",
                        "    status_thresholds:\n      healthy: 80\n      degraded: 90\n",
                        19, 17, "degraded 90 is not below healthy 80", "healthy > degraded > critical"),
                inCluster("critical above the default degraded", "    status_thresholds:\n      critical: 85\n",
                        18, 17, "critical 85 is not below degraded 80", "they default to 95, 80, 50"),
                inCluster("retry budget over 100 percent", "    retry_budget:\n      percent: 150\n",
                        18, 16, "percent 150 out of range", "0..100"),
                inRoute("too many retries", "    retries:\n      max: 11\n",
                        21, 12, "max 11 out of range", "0..10"),
                inRoute("misspelt retries key", "    retries:\n      max_retries: 3\n",
                        21, 7, "unknown key 'max_retries' in a retry policy", "allowed keys: max, per_try_timeout"),
                inRoute("zero per-try timeout", "    retries:\n      per_try_timeout: 0s\n",
                        21, 24, "'per_try_timeout' must be greater than zero", "e.g. 250ms"),
                inRoute("backoff base beyond the default max", "    retries:\n      backoff_base: 1s\n",
                        21, 21, "backoff_max 250ms is shorter than backoff_base 1s", "backoff_max defaults to 250ms"),
                inRoute("buffer limit above 16MiB", "    retries:\n      buffer_limit: 32MiB\n",
                        21, 21, "buffer_limit 32MiB out of range", "up to 16MiB"),
                inRoute("hedge multiplier below one", "    retries:\n      hedge:\n        p99_multiplier: 0.5\n",
                        22, 25, "p99_multiplier 0.5 out of range", "1..100"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsTheOneProblemAtItsPosition(String description, String yaml, int line, int column, String message,
                                           String hint) {
        ProblemAssert.onlyProblem(description, yaml, line, column, message, hint);
    }

    /** A section added to cluster api, just before routes: its first line becomes line 17. */
    private static Arguments inCluster(String description, String section, int line, int column, String message,
                                       String hint) {
        return mistake(description, "routes:\n", section + "routes:\n", line, column, message, hint);
    }

    /** A section added to route all, after its cluster: its first line becomes line 20. */
    private static Arguments inRoute(String description, String section, int line, int column, String message,
                                     String hint) {
        return mistake(description, "    cluster: api\n", "    cluster: api\n" + section, line, column, message,
                hint);
    }

    private static Arguments mistake(String description, String from, String to, int line, int column,
                                     String message, String hint) {
        int at = BASE.indexOf(from);
        if (at < 0 || BASE.indexOf(from, at + 1) >= 0) {
            throw new IllegalArgumentException(description + ": '" + from + "' must occur exactly once in BASE");
        }
        String yaml = BASE.substring(0, at) + to + BASE.substring(at + from.length());
        return Arguments.of(description, yaml, line, column, message, hint);
    }
}
