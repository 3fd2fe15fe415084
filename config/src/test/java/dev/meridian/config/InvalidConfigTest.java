package dev.meridian.config;

import static org.assertj.core.api.Assertions.assertThat;

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
                mistake("unknown policy", "    endpoints:\n", "    policy: round_robin\n    endpoints:\n",
                        12, 13, "unknown policy 'round_robin'", "allowed policies: weighted"),
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
                        17, 8, "expected a map for 'admin', got a list", "indent address, port under 'admin:'"),
                mistake("YAML alias", "    weight: 100", "    zone: *x",
                        16, 15, "YAML aliases are not supported", "write the value out"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsTheOneProblemAtItsPosition(String description, String yaml, int line, int column, String message,
                                           String hint) {
        ConfigResult result = ConfigLoader.parse("test.yaml", yaml);

        assertThat(result.problems()).as(description + "\n" + yaml).singleElement().satisfies(p -> {
            assertThat(p.message()).contains(message);
            assertThat(p.hint()).contains(hint);
            assertThat(p.line()).as("line of " + p).isEqualTo(line);
            assertThat(p.column()).as("column of " + p).isEqualTo(column);
        });
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
