package dev.meridian.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.routing.RoutingTable;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.LinkedHashSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * The admin port's endpoints. Reads answer at once from snapshots, on the admin loop. Changes and reloads run on the
 * admin worker (they wait on the health thread's funnel, read files and resolve names), and their answers complete
 * later; the loop never waits for them.
 */
final class AdminRoutes {
    private static final System.Logger LOG = System.getLogger(AdminRoutes.class.getName());
    private static final List<String> READS = List.of("/healthz", "/ready", "/status", "/clusters", "/endpoints",
            "/routes", "/events", "/overlay", "/explain", "/simulate", "/failovers", "/continuity", "/metrics");
    private static final List<String> CHANGES = List.of("/drain", "/undrain", "/maintenance", "/weight", "/reload",
            "/failovers", "/failovers/pause", "/failovers/resume", "/failovers/abort", "/continuity");
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final MeridianServer server;
    private final AdminAuth auth;
    private final Reads reads;
    private final RuntimeChanges changes;
    private final Simulator simulator;
    private final AdminMetrics metrics;
    private final Executor worker;
    private final AuditLog audit;
    private final TrafficControl traffic;

    AdminRoutes(MeridianServer server, AdminAuth auth, Reads reads, RuntimeChanges changes, TrafficControl traffic,
                Simulator simulator, AdminMetrics metrics, Executor worker, AuditLog audit) {
        this.audit = audit;
        this.traffic = traffic;
        this.server = server;
        this.auth = auth;
        this.reads = reads;
        this.changes = changes;
        this.simulator = simulator;
        this.metrics = metrics;
        this.worker = worker;
    }

    CompletableFuture<AdminResponse> handle(AdminRequest r) {
        String path = r.path();
        if (Dashboard.PATHS.contains(path)) {
            return done(dashboard(r));
        }
        boolean readable = READS.contains(path);
        boolean changeable = CHANGES.contains(path);
        if (!readable && !changeable) {
            return done(AdminResponse.error(HttpResponseStatus.NOT_FOUND, "no admin endpoint " + path
                    + "; dashboard: /; reads: " + String.join(" ", READS) + "; changes (POST): " + String.join(" ", CHANGES)));
        }
        // A path may be both (GET /failovers lists, POST /failovers starts one): the method decides.
        boolean change = changeable && r.method().equals(HttpMethod.POST);
        boolean read = !change && readable
                && (r.method().equals(HttpMethod.GET) || r.method().equals(HttpMethod.HEAD));
        if (!read && !change) {
            String takes = readable && changeable ? "GET or POST" : readable ? "GET" : "POST";
            return done(AdminResponse.error(HttpResponseStatus.METHOD_NOT_ALLOWED, path + " takes " + takes));
        }
        AdminAuth.Verdict verdict = auth.check(r.authorization(), r.peer(), change);
        if (!verdict.allowed()) {
            if (change) {
                // Refused attempts at changes are what an audit trail is for; reads are not audited.
                audit.append(new AuditLog.Entry(Instant.now(), new Caller(r.peer().getHostAddress(), "unauthenticated",
                        null), path.substring(1), null, null, null, changes.version(),
                        "refused: " + verdict.status().code() + " " + verdict.reason(), false));
            }
            return done(AdminResponse.error(verdict.status(), verdict.reason()));
        }
        try {
            return read ? done(read(r)) : change(r, verdict.caller());
        } catch (RuntimeChanges.Refused e) {
            return done(AdminResponse.error(e.status, e.getMessage()));
        }
    }

    private static AdminResponse dashboard(AdminRequest r) {
        if (!r.method().equals(HttpMethod.GET) && !r.method().equals(HttpMethod.HEAD)) {
            return AdminResponse.error(HttpResponseStatus.METHOD_NOT_ALLOWED, r.path() + " takes GET");
        }
        return new AdminResponse(HttpResponseStatus.OK, Dashboard.CONTENT_TYPE, Dashboard.page());
    }

    private AdminResponse read(AdminRequest r) {
        return switch (r.path()) {
            case "/healthz" -> AdminResponse.ok(Map.of("status", "alive"));
            case "/ready" -> {
                Map<String, Object> ready = reads.ready();
                yield AdminResponse.json(Boolean.TRUE.equals(ready.get("ready")) ? HttpResponseStatus.OK
                        : HttpResponseStatus.SERVICE_UNAVAILABLE, ready);
            }
            case "/status" -> AdminResponse.ok(reads.status());
            case "/clusters" -> AdminResponse.ok(reads.clusters());
            case "/endpoints" -> AdminResponse.ok(reads.endpoints());
            case "/routes" -> AdminResponse.ok(reads.routes());
            case "/events" -> AdminResponse.ok(reads.events());
            case "/overlay" -> AdminResponse.ok(reads.overlay());
            case "/explain" -> {
                RoutingTable table = server.routing().current();
                yield AdminResponse.ok(table.explain(ExplainQuery.parse(r.query(), table)));
            }
            case "/simulate" -> AdminResponse.ok(simulate(r));
            case "/failovers" -> AdminResponse.ok(traffic.failovers());
            case "/continuity" -> AdminResponse.ok(traffic.continuity());
            case "/metrics" -> AdminResponse.text(HttpResponseStatus.OK, PROMETHEUS_TEXT, metrics.scrape());
            default -> throw new IllegalStateException("read " + r.path());
        };
    }

    private Map<String, Object> simulate(AdminRequest r) {
        List<String> fail = r.query().parameters().get("fail");
        if (fail == null || fail.isEmpty() || fail.get(0).isBlank()) {
            throw new RuntimeChanges.Refused(HttpResponseStatus.BAD_REQUEST,
                    "say which regions fail: /simulate?fail=REGION[,REGION]");
        }
        RoutingTable table = server.routing().current();
        Set<String> known = new LinkedHashSet<>();
        table.config().regions().forEach(region -> known.add(region.name()));
        Set<String> failed = new LinkedHashSet<>();
        for (String f : fail) {
            for (String region : f.split(",")) {
                String name = region.strip();
                if (!known.contains(name)) {
                    throw new RuntimeChanges.Refused(HttpResponseStatus.BAD_REQUEST, "unknown region '" + name
                            + "'; regions: " + String.join(", ", known));
                }
                failed.add(name);
            }
        }
        return simulator.simulate(table, failed);
    }

    private CompletableFuture<AdminResponse> change(AdminRequest r, Caller caller) {
        JsonNode body;
        try {
            body = Json.parse(r.body());
        } catch (IOException e) {
            return done(AdminResponse.error(HttpResponseStatus.BAD_REQUEST, "the body is not JSON: "
                    + e.getMessage().lines().findFirst().orElse("")));
        }
        Function<JsonNode, AdminResponse> action = switch (r.path()) {
            case "/drain" -> b -> changes.change(RuntimeChanges.Action.DRAIN, b, caller);
            case "/undrain" -> b -> changes.change(RuntimeChanges.Action.UNDRAIN, b, caller);
            case "/maintenance" -> b -> changes.change(RuntimeChanges.Action.MAINTENANCE, b, caller);
            case "/weight" -> b -> changes.change(RuntimeChanges.Action.WEIGHT, b, caller);
            case "/reload" -> b -> changes.reload(b, caller);
            // The controller reads the body with the config binder, as YAML: it gets the bytes, already known JSON.
            case "/failovers" -> b -> traffic.start(r.body(), caller);
            case "/failovers/pause" -> b -> traffic.shift(TrafficControl.ShiftAction.PAUSE, b, caller);
            case "/failovers/resume" -> b -> traffic.shift(TrafficControl.ShiftAction.RESUME, b, caller);
            case "/failovers/abort" -> b -> traffic.shift(TrafficControl.ShiftAction.ABORT, b, caller);
            case "/continuity" -> b -> traffic.level(b, caller);
            default -> throw new IllegalStateException("change " + r.path());
        };
        try {
            return CompletableFuture.supplyAsync(() -> action.apply(body), worker).exceptionally(AdminRoutes::failed);
        } catch (RejectedExecutionException e) {
            return done(AdminResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the admin port is shutting down"));
        }
    }

    private static AdminResponse failed(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof RuntimeChanges.Refused refused) {
            return AdminResponse.error(refused.status, refused.getMessage());
        }
        LOG.log(Level.ERROR, "admin change failed", cause);
        return AdminResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + cause);
    }

    private static CompletableFuture<AdminResponse> done(AdminResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
