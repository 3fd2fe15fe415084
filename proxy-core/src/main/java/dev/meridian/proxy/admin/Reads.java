package dev.meridian.proxy.admin;

import dev.meridian.config.EndpointConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.config.RouteConfig;
import dev.meridian.config.WeightedCluster;
import dev.meridian.health.CapacityHealth;
import dev.meridian.health.HealthEvent;
import dev.meridian.health.HealthSupervisor;
import dev.meridian.proxy.cli.VersionProvider;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.routing.AdminState;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.EndpointStatus;
import dev.meridian.routing.Route;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.balance.EligibleSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The admin port's read views. Each reads the current snapshots once (table, roll-ups, events, overlay) and copies
 * what it shows: nothing here waits or takes a lock the data plane uses.
 */
final class Reads {
    private final MeridianServer server;
    private final RuntimeChanges changes;
    private final RateMeter rates;
    private final FirstRound firstRound;
    private final Instant startedAt;

    Reads(MeridianServer server, RuntimeChanges changes, RateMeter rates, FirstRound firstRound, Instant startedAt) {
        this.server = server;
        this.changes = changes;
        this.rates = rates;
        this.firstRound = firstRound;
        this.startedAt = startedAt;
    }

    /** Whether the proxy should get traffic: not draining, config loaded, first round of health checks done. */
    Map<String, Object> ready() {
        boolean draining = server.draining();
        boolean checked = firstRound.done();
        String reason = draining ? "the proxy is draining" : checked ? null
                : firstRound.waiting() + " endpoint(s) await their first health check";
        return Json.obj("ready", !draining && checked, "reason", reason);
    }

    Map<String, Object> status() {
        RoutingTable table = server.routing().current();
        MeridianConfig config = table.config();
        HealthSupervisor health = server.health();
        return Json.obj(
                "version", VersionProvider.version(),
                "config_version", table.version(),
                "config_source", config.source(),
                "runtime_version", changes.version(),
                "started_at", startedAt.toString(),
                "uptime_seconds", Duration.between(startedAt, Instant.now()).toSeconds(),
                "draining", server.draining(),
                "ready", ready().get("ready"),
                "in_flight", server.activeExchanges(),
                "last_reload", lastReload(changes.lastReload()),
                "regions", health.regionHealth().stream().map(Reads::capacity).toList(),
                "clusters", health.clusterHealth().stream().map(Reads::capacity).toList());
    }

    private static Map<String, Object> lastReload(ReloadOutcome r) {
        return r == null ? null : Json.obj("at", r.at().toString(), "ok", r.ok(), "trigger", r.trigger(),
                "problems", r.problems());
    }

    private static Map<String, Object> capacity(CapacityHealth h) {
        return Json.obj("name", h.name(), "status", lower(h.status().name()),
                "healthy_percent", round1(h.healthyPercent()));
    }

    List<Map<String, Object>> clusters() {
        RoutingTable table = server.routing().current();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Cluster c : table.clusters()) {
            CapacityHealth h = server.health().clusterHealth(c.name());
            EligibleSet set = c.eligibility().snapshot();
            List<Map<String, Object>> levels = set.levels().stream().map(l -> Json.obj(
                    "priority", l.priority(), "health_percent", l.healthPercent(), "load_percent", l.loadPercent(),
                    "panic", l.panic(), "members", l.members().stream().map(EndpointState::id).toList())).toList();
            double rps = c.endpoints().stream().mapToDouble(e -> rates.rps(e.id())).sum();
            out.add(Json.obj(
                    "name", c.name(),
                    "policy", c.config().policy().yamlName(),
                    "status", h == null ? null : lower(h.status().name()),
                    "healthy_percent", h == null ? null : round1(h.healthyPercent()),
                    "endpoints", c.endpoints().size(),
                    "eligible", set.members().size(),
                    "in_flight", c.endpoints().isEmpty() ? 0 : c.endpoints().get(0).clusterLoad().inFlight(),
                    "rps", round1(rps),
                    "levels", levels));
        }
        return out;
    }

    List<Map<String, Object>> endpoints() {
        RoutingTable table = server.routing().current();
        Map<String, HealthEvent> lastTransition = new HashMap<>();
        for (HealthEvent e : server.health().events()) {
            if (e.isTransition()) {
                lastTransition.put(e.endpoint(), e);   // oldest first: the last one wins
            }
        }
        Map<String, Map<String, Object>> overlay = changes.overlay();
        long now = System.nanoTime();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Cluster c : table.clusters()) {
            for (EndpointState e : c.endpoints()) {
                EndpointConfig ec = e.config();
                HealthEvent last = lastTransition.get(e.id());
                int override = e.health().weightOverride();
                out.add(Json.obj(
                        "id", e.id(),
                        "cluster", c.name(),
                        "region", ec.region(),
                        "address", ec.authority(),
                        "status", status(e),
                        "admin_state", lower(e.health().adminState().name()),
                        "configured_weight", ec.weight(),
                        "weight_override", override < 0 ? null : override,
                        "effective_weight", e.effectiveWeight(now, c.config()),
                        "capacity", ec.capacity() > 0 ? ec.capacity() : null,
                        "in_flight", Math.max(0, e.inFlight()),
                        "requests_total", e.requestsTotal(),
                        "rps", round1(rates.rps(e.id())),
                        "p50_ms", millis(e.recentP50Nanos()),
                        "p99_ms", millis(e.recentP99Nanos()),
                        "success_rate", round4(1 - e.errorRate().percentAt(now) / 100),
                        "last_transition", last == null ? null : Json.obj(
                                "time", Instant.ofEpochMilli(last.timeMillis()).toString(),
                                "from", lower(last.from().name()), "to", lower(last.to().name()),
                                "cause", last.cause()),
                        "overlay", overlay.get(e.id())));
            }
        }
        return out;
    }

    /**
     * The endpoint's status in lower case, except that a draining endpoint with nothing left in flight says
     * {@code drained}: the moment an operator waits for before stopping it.
     */
    static String status(EndpointState e) {
        EndpointStatus s = e.status();
        if (s == EndpointStatus.DRAINING && e.health().adminState() == AdminState.DRAINING && e.inFlight() <= 0) {
            return "drained";
        }
        return lower(s.name());
    }

    List<Map<String, Object>> routes() {
        RoutingTable table = server.routing().current();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Route r : table.routes()) {
            RouteConfig rc = r.config();
            Map<String, Object> match = Json.obj("host", rc.match().host(), "path_prefix", rc.match().pathPrefix(),
                    "path", rc.match().path(), "headers", rc.match().headers().stream()
                            .map(h -> Json.obj("name", h.name(), "value", h.value())).toList());
            List<Map<String, Object>> split = new ArrayList<>();
            for (WeightedCluster w : rc.split()) {
                split.add(Json.obj("cluster", w.cluster(), "weight", w.weight()));
            }
            out.add(Json.obj(
                    "name", r.name(),
                    "match", match,
                    "cluster", rc.cluster(),
                    "split", split.isEmpty() ? null : split,
                    "residency", rc.residency() == null ? null : rc.residency().toString(),
                    "timeouts", Json.obj("connect_ms", rc.timeouts().connect().toMillis(),
                            "response_header_ms", rc.timeouts().responseHeader().toMillis(),
                            "idle_ms", rc.timeouts().idle().toMillis())));
        }
        return out;
    }

    Map<String, Object> events() {
        // A failover event names its shift in 'endpoint' and has no statuses: 'kind' tells the two apart.
        List<Map<String, Object>> events = server.health().events().stream().map(e -> Json.obj(
                "time", Instant.ofEpochMilli(e.timeMillis()).toString(),
                "kind", e.isTransition() ? "transition" : "failover",
                "endpoint", e.endpoint(), "cluster", e.cluster(),
                "from", e.from() == null ? null : lower(e.from().name()),
                "to", e.to() == null ? null : lower(e.to().name()), "cause", e.cause(),
                "detection_ms", e.detectionNanos() < 0 ? null : e.detectionNanos() / 1e6)).toList();
        return Json.obj("total", server.health().log().total(), "events", events);
    }

    Map<String, Object> overlay() {
        return Json.obj("version", changes.version(), "overlay", changes.overlay());
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static Double millis(long nanos) {
        return nanos <= 0 ? null : Math.round(nanos / 1e3) / 1e3;
    }

    private static double round1(double d) {
        return Math.round(d * 10) / 10.0;
    }

    private static double round4(double d) {
        return Math.round(d * 10_000) / 10_000.0;
    }
}
