package dev.meridian.config;

import dev.meridian.config.ConfigValidator.Kind;
import dev.meridian.config.YamlNode.YamlList;
import dev.meridian.config.YamlNode.YamlMap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Maps the YAML tree to the config records, applying defaults and the rules that concern one map at a time (types,
 * ranges, formats, exclusive keys). Names and references go to the {@link ConfigValidator}, which needs the whole
 * document. The records built from an invalid document are incomplete and only serve to keep binding going.
 */
final class ConfigBinder {
    static final Schema TOP = new Schema("config", "configs",
            List.of("listeners", "admin", "server", "geo", "regions", "clusters", "routes", "access_log"),
            List.of("listeners", "regions", "clusters", "routes"));
    static final Schema LISTENER = new Schema("listener", "listeners",
            List.of("name", "address", "port"), List.of("address", "port"));
    static final Schema SERVER = new Schema("server", "servers",
            List.of("max_request_line", "max_header_size", "max_header_count", "max_body_size",
                    "request_header_timeout", "min_body_rate", "min_body_rate_grace", "keepalive_timeout",
                    "max_requests_per_connection", "max_connections", "max_connections_per_client", "shutdown_grace",
                    "continuity", "auto_shedding", "forwarded_header"), List.of());
    static final Schema REGION = new Schema("region", "regions",
            List.of("name", "jurisdiction", "latitude", "longitude"),
            List.of("name", "jurisdiction", "latitude", "longitude"));
    static final Schema CLUSTER = new Schema("cluster", "clusters",
            List.of("name", "policy", "pool", "endpoints", "health_check", "outlier_detection", "slow_start", "priority",
                    "status_thresholds", "retry_budget", "hash", "geo", "failover", "circuit_breaker"),
            List.of("name", "endpoints"));
    static final Schema POOL = new Schema("pool", "pools",
            List.of("max_connections_per_endpoint", "idle_timeout", "max_response_header_size"), List.of());
    static final Schema ENDPOINT = new Schema("endpoint", "endpoints",
            List.of("id", "address", "region", "zone", "weight", "priority", "capacity", "jurisdiction", "cost"),
            List.of("id", "address", "region"));
    static final Schema ROUTE = new Schema("route", "routes",
            List.of("name", "match", "cluster", "split", "timeouts", "retries", "residency", "score",
                    "decision_header", "tier", "access_log", "max_body_size", "tunnels"), List.of());
    static final Schema TUNNELS = new Schema("tunnels", "tunnels", List.of("websocket", "connect", "idle_timeout"),
            List.of());
    static final Schema MATCH = new Schema("match", "matches",
            List.of("host", "path_prefix", "path", "headers"), List.of());
    static final Schema HEADER = new Schema("header match", "header matches",
            List.of("name", "value"), List.of("name"));
    static final Schema ARM = new Schema("split arm", "split arms", List.of("cluster", "weight"),
            List.of("cluster", "weight"));
    static final Schema TIMEOUTS = new Schema("timeouts", "timeouts",
            List.of("connect", "response_header", "idle", "min_response_rate"), List.of());

    private static final Pattern REGION_NAME = Pattern.compile("[a-z0-9-]+");
    static final String HEADER_TOKEN_CHARS = "!#$%&'*+-.^_`|~";
    private static final int MAX_HEADER_COUNT = 100_000;
    private static final long MAX_BODY_SIZE = 1L << 40;
    private static final int MAX_MIN_BODY_RATE = 1 << 30;
    private static final List<String> POLICIES = Arrays.stream(Policy.values()).map(Policy::yamlName).toList();

    private final Problems problems;
    private final ConfigValidator validator;
    private final ResilienceBinder resilience;
    private final RoutingPolicyBinder routing;
    private final ClientLocationBinder location;
    private final FailoverBinder failover;
    private final TrafficControlBinder traffic;
    private final AdminBinder adminBinder;
    private final AccessLogBinder accessLog;

    /** {@code directory}: where relative file paths in the config start, the config file's directory. */
    ConfigBinder(Problems problems, ConfigValidator validator, Path directory) {
        this(problems, validator, directory, System::getenv);
    }

    /** {@code env}: reads an environment variable (admin tokens), null when unset. */
    ConfigBinder(Problems problems, ConfigValidator validator, Path directory, UnaryOperator<String> env) {
        this.problems = problems;
        this.adminBinder = new AdminBinder(problems, directory, env);
        this.validator = validator;
        this.resilience = new ResilienceBinder(problems);
        this.routing = new RoutingPolicyBinder(problems, validator);
        this.location = new ClientLocationBinder(problems, validator, directory);
        this.failover = new FailoverBinder(problems);
        this.traffic = new TrafficControlBinder(problems);
        this.accessLog = new AccessLogBinder(problems, directory);
    }

    /** The bound config, or null when the root is not a map (reported). */
    MeridianConfig bind(String source, YamlNode root) {
        if (!(root instanceof YamlMap map)) {
            problems.add(root, "expected a map at the top level, got " + root.describe(),
                    "a config is a map with listeners, regions, clusters and routes");
            return null;
        }
        Fields top = new Fields(map, TOP, problems);
        List<ListenerConfig> listeners = new ArrayList<>();
        top.forEach("listeners", LISTENER, true, (f, i) -> listeners.add(listener(f, i)));
        Fields adminFields = top.nested("admin", AdminBinder.ADMIN);
        AdminConfig admin = adminFields == null ? AdminConfig.DEFAULT : admin(adminFields);
        Fields serverFields = top.nested("server", SERVER);
        ServerConfig server = serverFields == null ? ServerConfig.DEFAULT : server(serverFields);
        Fields geoFields = top.nested("geo", ClientLocationBinder.GEO);
        GeoConfig geo = geoFields == null ? GeoConfig.NONE : location.geo(geoFields);
        List<RegionConfig> regions = new ArrayList<>();
        top.forEach("regions", REGION, true, (f, i) -> regions.add(region(f)));
        List<ClusterConfig> clusters = new ArrayList<>();
        Set<String> regionNames = new LinkedHashSet<>();
        regions.stream().filter(r -> r.name() != null).forEach(r -> regionNames.add(r.name()));
        top.forEach("clusters", CLUSTER, true, (f, i) -> clusters.add(cluster(f, regionNames)));
        List<RouteConfig> routes = new ArrayList<>();
        top.forEach("routes", ROUTE, true, (f, i) -> routes.add(route(f, i)));
        Fields accessLogFields = top.nested("access_log", AccessLogBinder.ACCESS_LOG);
        AccessLogConfig log = accessLogFields == null ? AccessLogConfig.OFF : accessLog.accessLog(accessLogFields);
        return new MeridianConfig(source, listeners, admin, server, regions, clusters, routes, geo, log);
    }

    private ListenerConfig listener(Fields f, int index) {
        String name = name(f, Kind.LISTENER, "listener-" + index);
        return new ListenerConfig(name, bindAddress(f, null), f.integer("port", 0, 0, 65_535));
    }

    private AdminConfig admin(Fields f) {
        return adminBinder.admin(f, bindAddress(f, AdminConfig.DEFAULT.address()));
    }

    private ServerConfig server(Fields f) {
        ServerConfig d = ServerConfig.DEFAULT;
        return new ServerConfig(
                f.size("max_request_line", d.maxRequestLineBytes()),
                f.size("max_header_size", d.maxHeaderBytes()),
                f.integer("max_header_count", d.maxHeaderCount(), 1, MAX_HEADER_COUNT),
                maxBodySize(f, d.maxBodyBytes()),
                f.duration("request_header_timeout", d.requestHeaderTimeout(), false),
                f.rate("min_body_rate", d.minBodyRate(), MAX_MIN_BODY_RATE, "0B/s (off) up to 1GiB/s"),
                f.duration("min_body_rate_grace", d.minBodyRateGrace(), false),
                f.duration("keepalive_timeout", d.keepAliveTimeout(), false),
                f.integer("max_requests_per_connection", d.maxRequestsPerConnection(), 1, Integer.MAX_VALUE),
                f.integer("max_connections", d.maxConnections(), 1, Integer.MAX_VALUE),
                f.integer("max_connections_per_client", d.maxConnectionsPerClient(), 1, Integer.MAX_VALUE),
                // Zero grace is a real choice: close at once on SIGTERM.
                f.duration("shutdown_grace", d.shutdownGrace(), true),
                traffic.continuity(f), f.bool("auto_shedding", d.autoShedding()),
                f.bool("forwarded_header", d.forwardedHeader()));
    }

    /** A server's or a route's body limit; {@code defaultValue} when absent or wrong. */
    private static long maxBodySize(Fields f, long defaultValue) {
        return f.longSize("max_body_size", defaultValue, 1, MAX_BODY_SIZE, "1 byte up to 1024GiB");
    }

    private RegionConfig region(Fields f) {
        String name = name(f, Kind.REGION, null);
        if (name != null && !REGION_NAME.matcher(name).matches()) {
            problems.add(f.value("name"), "invalid region name '" + name + "'",
                    "lower-case letters, digits and '-', e.g. us-east");
        }
        return new RegionConfig(name, jurisdiction(f), f.decimal("latitude", -90, 90),
                f.decimal("longitude", -180, 180));
    }

    /** A region's or an endpoint's jurisdiction, kept as written even when reported, as the region's always was. */
    private String jurisdiction(Fields f) {
        String jurisdiction = f.string("jurisdiction");
        if (jurisdiction != null && !RoutingPolicyBinder.JURISDICTION.matcher(jurisdiction).matches()) {
            problems.add(f.value("jurisdiction"), "invalid jurisdiction '" + jurisdiction + "'",
                    RoutingPolicyBinder.JURISDICTION_HINT);
        }
        return jurisdiction;
    }

    private ClusterConfig cluster(Fields f, Set<String> regionNames) {
        String name = name(f, Kind.CLUSTER, null);
        Policy policy = policy(f);
        Fields poolFields = f.nested("pool", POOL);
        PoolConfig pool = poolFields == null ? PoolConfig.DEFAULT : pool(poolFields);
        List<EndpointConfig> endpoints = new ArrayList<>();
        List<String> lackingCapacity = new ArrayList<>();
        f.forEach("endpoints", ENDPOINT, true, (e, i) -> {
            EndpointConfig endpoint = endpoint(e);
            endpoints.add(endpoint);
            if (!e.has("capacity")) {
                lackingCapacity.add(endpoint.id() == null ? "#" + i : endpoint.id());
            }
        });
        // A null section means the record's default, except health_check, where null means no active checks.
        Fields health = f.nested("health_check", ResilienceBinder.HEALTH_CHECK);
        Fields outlier = f.nested("outlier_detection", ResilienceBinder.OUTLIER);
        Fields slowStart = f.nested("slow_start", ResilienceBinder.SLOW_START);
        Fields priority = f.nested("priority", ResilienceBinder.PRIORITY);
        Fields thresholds = f.nested("status_thresholds", ResilienceBinder.STATUS_THRESHOLDS);
        Fields budget = f.nested("retry_budget", ResilienceBinder.RETRY_BUDGET);
        Fields geoFields = f.nested("geo", RoutingPolicyBinder.GEO_POLICY);
        GeoPolicyConfig geo = geoFields == null ? null : routing.geo(geoFields, f.key("geo"), policy, lackingCapacity);
        // A geo cluster hashes inside a region when its within policy does.
        Policy hashing = policy == Policy.GEO ? (geo == null ? GeoPolicyConfig.DEFAULT : geo).within() : policy;
        Fields hashFields = f.nested("hash", RoutingPolicyBinder.HASH);
        HashConfig hash = hashFields == null ? null
                : routing.hash(hashFields, f.key("hash"), policy, hashing, endpoints.size());
        RetryBudgetConfig retryBudget = budget == null ? RetryBudgetConfig.DEFAULT : resilience.retryBudget(budget);
        Fields breakerFields = f.nested("circuit_breaker", TrafficControlBinder.CIRCUIT_BREAKER);
        CircuitBreakerConfig breaker = breakerFields == null ? CircuitBreakerConfig.DEFAULT
                : traffic.circuitBreaker(breakerFields);
        traffic.budgetWithinBreaker(budget, breakerFields, retryBudget, breaker);
        return new ClusterConfig(name, policy, pool, endpoints,
                health == null ? null : resilience.healthCheck(health),
                outlier == null ? null : resilience.outlier(outlier),
                slowStart == null ? null : resilience.slowStart(slowStart),
                priority == null ? null : resilience.priority(priority),
                thresholds == null ? null : resilience.statusThresholds(thresholds),
                retryBudget, hash, geo, failover.bind(f, policy, endpoints, regionNames), breaker);
    }

    private Policy policy(Fields f) {
        String text = f.string("policy");
        if (text == null) {
            return Policy.WEIGHTED;
        }
        Policy p = policyNamed(text);
        if (p == null) {
            problems.add(f.value("policy"), "unknown policy '" + text + "'",
                    Suggestions.hint(text, POLICIES, "allowed policies"));
            return Policy.WEIGHTED;
        }
        return p;
    }

    /** The policy spelt {@code text} in YAML, or null. */
    static Policy policyNamed(String text) {
        for (Policy p : Policy.values()) {
            if (p.yamlName().equals(text)) {
                return p;
            }
        }
        return null;
    }

    private PoolConfig pool(Fields f) {
        PoolConfig d = PoolConfig.DEFAULT;
        return new PoolConfig(f.integer("max_connections_per_endpoint", d.maxConnectionsPerEndpoint(), 1, 100_000),
                f.duration("idle_timeout", d.idleTimeout(), false),
                f.size("max_response_header_size", d.maxResponseHeaderBytes(), 1024, 1024 * 1024, "1KiB..1MiB"));
    }

    private EndpointConfig endpoint(Fields f) {
        String id = f.string("id");
        if (id != null) {
            validator.declare(Kind.ENDPOINT, id, f.value("id"));
        }
        String host = null;
        int port = 0;
        String address = f.string("address");
        if (address != null) {
            Addresses.HostPort hp = Addresses.parseHostPort(address);
            if (hp == null) {
                problems.add(f.value("address"), "unparseable address '" + address + "'",
                        "host:port, e.g. 10.0.0.5:8080, api.internal:8080 or [::1]:8080");
            } else if (hp.port() < 1 || hp.port() > 65_535) {
                problems.add(f.value("address"), "port " + hp.port() + " out of range", "1..65535");
            } else {
                host = hp.host();
                port = hp.port();
            }
        }
        String region = f.string("region");
        if (region != null) {
            validator.reference(Kind.REGION, region, f.value("region"));
        }
        int capacity = f.has("capacity") ? f.integer("capacity", 0, 1, Integer.MAX_VALUE) : 0;
        return new EndpointConfig(id, host, port, region, f.string("zone"),
                f.integer("weight", EndpointConfig.DEFAULT_WEIGHT, 0, EndpointConfig.MAX_WEIGHT),
                f.integer("priority", 0, 0, EndpointConfig.MAX_PRIORITY), capacity, jurisdiction(f),
                f.decimalAtLeast("cost", 0, 0));
    }

    private RouteConfig route(Fields f, int index) {
        String name = name(f, Kind.ROUTE, "route-" + index);
        Fields matchFields = f.nested("match", MATCH);
        RouteMatch match = matchFields == null ? RouteMatch.ANY : match(matchFields);
        boolean hasCluster = f.has("cluster");
        boolean hasSplit = f.has("split");
        if (hasCluster == hasSplit) {
            YamlNode at = f.map();
            if (hasCluster) {
                at = later(f.key("cluster"), f.key("split"));
            }
            problems.add(at, "a route needs exactly one of 'cluster' or 'split'",
                    hasCluster ? "'cluster' sends everything to one cluster; remove it or the 'split'"
                            : "add 'cluster: <name>' or a 'split' list of clusters with weights");
        }
        String cluster = null;
        if (hasCluster) {
            cluster = f.string("cluster");
            if (cluster != null) {
                validator.reference(Kind.CLUSTER, cluster, f.value("cluster"));
            }
        }
        List<WeightedCluster> split = hasSplit ? split(f) : List.of();
        Fields timeoutFields = f.nested("timeouts", TIMEOUTS);
        TimeoutsConfig timeouts = timeoutFields == null ? TimeoutsConfig.DEFAULT : timeouts(timeoutFields);
        Fields retryFields = f.nested("retries", ResilienceBinder.RETRIES);
        Fields residencyFields = f.nested("residency", RoutingPolicyBinder.RESIDENCY);
        RoutingPolicyBinder.BoundResidency residency = residencyFields == null ? null
                : routing.residency(residencyFields);
        Fields scoreFields = f.nested("score", RoutingPolicyBinder.SCORE);
        RouteConfig route = new RouteConfig(name, match, cluster, split, timeouts,
                retryFields == null ? null : resilience.retries(retryFields),
                residency == null ? null : residency.config(),
                scoreFields == null ? null : routing.score(scoreFields), f.bool("decision_header", false),
                traffic.tier(f), accessLog.routeSample(f), maxBodySize(f, RouteConfig.SERVER_BODY_LIMIT),
                tunnels(f.nested("tunnels", TUNNELS)));
        validator.routeRules(new ConfigValidator.RouteRules(route,
                residency == null ? Map.of() : residency.allowAt(), residency == null ? null : residency.unknownAt(),
                scoreFields == null ? null : f.key("score")));
        return route;
    }

    private RouteMatch match(Fields f) {
        String host = f.string("host");
        if (host != null) {
            host = host.toLowerCase(Locale.ROOT);
            if (!Addresses.isHostPattern(host)) {
                problems.add(f.value("host"), "invalid host pattern '" + host + "'",
                        "an exact host or '*.' and a suffix, without a port, e.g. api.example.com or *.example.com");
            }
        }
        String pathPrefix = path(f, "path_prefix");
        String path = path(f, "path");
        if (pathPrefix != null && path != null) {
            problems.add(later(f.key("path"), f.key("path_prefix")), "'path' and 'path_prefix' cannot both be set",
                    "'path' matches one exact path, 'path_prefix' a subtree; keep one");
        }
        List<HeaderMatch> headers = new ArrayList<>();
        f.forEach("headers", HEADER, false, (h, i) -> headers.add(header(h)));
        return new RouteMatch(host, pathPrefix, path, headers);
    }

    private String path(Fields f, String key) {
        String p = f.string(key);
        if (p != null && !p.startsWith("/")) {
            problems.add(f.value(key), key + " '" + p + "' must start with '/'", "e.g. /" + p);
        }
        return p;
    }

    private HeaderMatch header(Fields f) {
        String name = f.string("name");
        if (name != null && !isToken(name)) {
            problems.add(f.value("name"), "invalid header name '" + name + "'",
                    "an HTTP token: letters, digits and " + HEADER_TOKEN_CHARS);
        }
        return new HeaderMatch(name, f.string("value"));
    }

    private List<WeightedCluster> split(Fields f) {
        List<WeightedCluster> arms = new ArrayList<>();
        boolean[] allWeightsValid = {true};
        YamlList list = f.forEach("split", ARM, true, (a, i) -> {
            String cluster = a.string("cluster");
            if (cluster != null) {
                validator.reference(Kind.CLUSTER, cluster, a.value("cluster"));
            }
            int weight = a.integer("weight", -1, 0, EndpointConfig.MAX_WEIGHT);
            allWeightsValid[0] &= weight >= 0;
            arms.add(new WeightedCluster(cluster, Math.max(weight, 0)));
        });
        // Only when every weight was read: a missing or bad one is already reported and would read as zero here.
        if (list != null && !arms.isEmpty() && allWeightsValid[0]
                && arms.stream().mapToInt(WeightedCluster::weight).sum() == 0) {
            problems.add(list, "split weights sum to 0", "at least one arm needs a weight above 0");
        }
        return arms;
    }

    private static TunnelsConfig tunnels(Fields f) {
        if (f == null) {
            return TunnelsConfig.DEFAULT;
        }
        TunnelsConfig d = TunnelsConfig.DEFAULT;
        return new TunnelsConfig(f.bool("websocket", d.websocket()), f.bool("connect", d.connect()),
                f.duration("idle_timeout", d.idleTimeout(), false));
    }

    private TimeoutsConfig timeouts(Fields f) {
        TimeoutsConfig d = TimeoutsConfig.DEFAULT;
        return new TimeoutsConfig(f.duration("connect", d.connect(), false),
                f.duration("response_header", d.responseHeader(), false),
                f.duration("idle", d.idle(), false),
                f.rate("min_response_rate", (int) d.minResponseRate(), Integer.MAX_VALUE,
                        "0B/s (off) up to 2047MiB/s"));
    }

    /** Reads and declares a name; a map without one gets {@code defaultName} (null: the name is required). */
    private String name(Fields f, Kind kind, String defaultName) {
        String name = f.string("name");
        if (name != null) {
            validator.declare(kind, name, f.value("name"));
            return name;
        }
        if (defaultName != null && !f.has("name")) {
            validator.declare(kind, defaultName, f.map());
        }
        return defaultName;
    }

    private String bindAddress(Fields f, String defaultValue) {
        String address = f.string("address");
        if (address == null) {
            return defaultValue;
        }
        if (!Addresses.isBindAddress(address)) {
            problems.add(f.value("address"), "unparseable address '" + address + "'",
                    "an IPv4 or IPv6 literal, 'localhost', '0.0.0.0' or '::'");
        }
        return address;
    }

    /** Of two conflicting keys, the one written second: that is where the conflict becomes visible to a reader. */
    static YamlNode later(YamlNode a, YamlNode b) {
        return a.line() > b.line() || a.line() == b.line() && a.column() > b.column() ? a : b;
    }

    /** An HTTP token (RFC 9110), the grammar of header names and methods. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alphanumeric = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
            if (!alphanumeric && HEADER_TOKEN_CHARS.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }
}
