package dev.meridian.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.config.ConfigProblem;
import dev.meridian.config.ContinuityLevel;
import dev.meridian.config.FailoverConfig;
import dev.meridian.config.FailoverRequest;
import dev.meridian.config.InvalidConfigException;
import dev.meridian.config.TrafficSelector;
import dev.meridian.health.failover.FailoverController;
import dev.meridian.health.failover.ShiftStep;
import dev.meridian.health.failover.ShiftView;
import dev.meridian.proxy.server.Continuity;
import dev.meridian.proxy.server.MeridianServer;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Failover shifts and the business-continuity level through the admin port: their reads ({@code GET /failovers},
 * {@code GET /continuity}) and their changes. Changes run on the admin worker, since the failover controller answers
 * from the health control thread and waits for it; each takes a runtime version from {@link RuntimeChanges} and is
 * audited, refusals included.
 */
final class TrafficControl {
    /** What an operator may do to a shift that runs. */
    enum ShiftAction {
        PAUSE, RESUME, ABORT;

        String spelling() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Set<String> ID_KEYS = Set.of("id", "reason");
    private static final Set<String> LEVEL_KEYS = Set.of("level", "reason");
    private static final String LEVELS = Arrays.stream(ContinuityLevel.values()).map(ContinuityLevel::yamlName)
            .collect(Collectors.joining(", "));

    private final MeridianServer server;
    private final RuntimeChanges changes;
    private final AuditLog audit;
    private final Clock clock;

    TrafficControl(MeridianServer server, RuntimeChanges changes, AuditLog audit, Clock clock) {
        this.server = server;
        this.changes = changes;
        this.audit = audit;
        this.clock = clock;
    }

    /** Every shift kept, oldest first. Any thread: the controller's list is a copy-on-write snapshot. */
    Map<String, Object> failovers() {
        return Json.obj("failovers", server.health().failovers().list().stream().map(TrafficControl::view).toList());
    }

    Map<String, Object> continuity() {
        return Json.obj("level", server.continuity().level().yamlName(), "levels", LEVELS);
    }

    /** Starts a shift; the body is read as the YAML binder reads a declared failover. Worker thread. */
    AdminResponse start(byte[] body, Caller caller) {
        String text = new String(body, StandardCharsets.UTF_8);
        FailoverRequest request;
        try {
            if (text.isBlank()) {
                throw bad("say what to shift: {\"cluster\": ..., \"from\": {\"region\": ...}, \"to\": {\"region\": ...},"
                        + " \"strategy\": \"gradual\"}");
            }
            request = FailoverRequest.parse(text, server.routing().current().config());
        } catch (InvalidConfigException e) {
            throw refused(caller, "failover start", null, bad(e.problems().stream().map(TrafficControl::oneLine)
                    .collect(Collectors.joining("; "))));
        } catch (RuntimeChanges.Refused e) {
            throw refused(caller, "failover start", null, e);
        }
        Map<String, Object> target = Json.obj("cluster", request.cluster());
        ShiftView started;
        try {
            started = server.health().failovers().start(request.cluster(), request.config(), "admin: " + who(caller));
        } catch (IllegalArgumentException e) {
            throw refused(caller, "failover start", target, bad(e.getMessage()));
        } catch (IllegalStateException e) {
            throw refused(caller, "failover start", target, new RuntimeChanges.Refused(HttpResponseStatus.CONFLICT,
                    e.getMessage()));
        }
        long v = changes.nextVersion();
        target.put("id", started.id());
        Map<String, Object> after = view(started);
        audit(caller, "failover start", target, null, after, v, "applied");
        return AdminResponse.ok(Json.obj("version", v, "action", "failover start", "failover", after));
    }

    /** Pauses, resumes or aborts a shift by id. Worker thread. */
    AdminResponse shift(ShiftAction action, JsonNode body, Caller caller) {
        String verb = "failover " + action.spelling();
        int id;
        try {
            RuntimeChanges.requireObject(body, ID_KEYS);
            id = id(body);
        } catch (RuntimeChanges.Refused e) {
            throw refused(caller, verb, null, e);
        }
        Map<String, Object> target = Json.obj("id", id, "reason", reason(body));
        FailoverController failovers = server.health().failovers();
        ShiftView before = failovers.get(id);
        if (before == null) {
            throw refused(caller, verb, target, new RuntimeChanges.Refused(HttpResponseStatus.NOT_FOUND,
                    "no failover " + id + "; failovers: " + failovers.list().stream().map(ShiftView::id).toList()));
        }
        target.put("cluster", before.cluster());
        ShiftView after;
        try {
            after = switch (action) {
                case PAUSE -> failovers.pause(id);
                case RESUME -> failovers.resume(id);
                case ABORT -> failovers.abort(id, "admin: " + who(caller));
            };
        } catch (IllegalArgumentException e) {
            throw refused(caller, verb, target, new RuntimeChanges.Refused(HttpResponseStatus.NOT_FOUND,
                    e.getMessage()));
        } catch (IllegalStateException e) {
            throw refused(caller, verb, target, new RuntimeChanges.Refused(HttpResponseStatus.CONFLICT,
                    e.getMessage()));
        }
        long v = changes.nextVersion();
        Map<String, Object> was = brief(before);
        Map<String, Object> now = view(after);
        audit(caller, verb, target, was, brief(after), v, "applied");
        return AdminResponse.ok(Json.obj("version", v, "action", verb, "before", was, "failover", now));
    }

    /** Sets the business-continuity level. Worker thread (any would do; this keeps versions in one sequence). */
    AdminResponse level(JsonNode body, Caller caller) {
        ContinuityLevel level;
        try {
            RuntimeChanges.requireObject(body, LEVEL_KEYS);
            JsonNode n = body.get("level");
            if (n == null || !n.isTextual()) {
                throw bad("'level' is required: one of " + LEVELS);
            }
            level = ContinuityLevel.named(n.textValue());
            if (level == null) {
                throw bad("unknown level '" + n.textValue() + "'; levels: " + LEVELS);
            }
        } catch (RuntimeChanges.Refused e) {
            throw refused(caller, "continuity", null, e);
        }
        Continuity.Change change = server.continuity().level(level);
        String before = change.before().yamlName();
        String after = change.after().yamlName();
        long v = change.changed() ? changes.nextVersion() : changes.version();
        audit(caller, "continuity", Json.obj("reason", reason(body)), before, after, v, change.changed() ? "applied" : "no_change");
        return AdminResponse.ok(Json.obj("version", v, "action", "continuity", "before", before, "after", after,
                "changed", change.changed()));
    }

    static Map<String, Object> view(ShiftView s) {
        FailoverConfig c = s.config();
        return Json.obj(
                "id", s.id(),
                "cluster", s.cluster(),
                "state", s.state().name().toLowerCase(Locale.ROOT),
                "percent", s.percent(),
                "strategy", c.strategy().yamlName(),
                "from", selector(c.from()),
                "to", selector(c.to()),
                "sources", s.sources(),
                "targets", s.targets(),
                "plan", s.plan(),
                "hold_ms", c.hold().toMillis(),
                "guard", Json.obj("max_error_percent", c.guard().maxErrorPercent(),
                        "max_p99_ms", c.guard().maxP99().toMillis()),
                "max_shift_rate", c.maxShiftRate(),
                "trigger", c.trigger() == null ? null : c.trigger().yamlName(),
                "cause", s.cause(),
                "started_at", time(s.startedMillis()),
                "ended_at", s.endedMillis() <= 0 ? null : time(s.endedMillis()),
                "end_reason", s.endReason(),
                "baseline", Json.obj("error_percent", s.baselineErrorPercent(),
                        "p99_ms", s.baselineP99Millis() <= 0 ? null : s.baselineP99Millis()),
                "steps", s.steps().stream().map(TrafficControl::step).toList());
    }

    /** What an audit line needs of a shift: where it stood. */
    private static Map<String, Object> brief(ShiftView s) {
        return Json.obj("state", s.state().name().toLowerCase(Locale.ROOT), "percent", s.percent());
    }

    private static Map<String, Object> step(ShiftStep s) {
        return Json.obj("percent", s.percent(), "time", time(s.timeMillis()), "since_start_ms", s.sinceStartMillis(),
                "note", s.note());
    }

    private static Map<String, Object> selector(TrafficSelector s) {
        return switch (s.kind()) {
            case REGION -> Json.obj("region", s.region());
            case PRIORITY -> Json.obj("priority", s.priority());
            case ENDPOINTS -> Json.obj("endpoints", s.endpoints());
        };
    }

    private static String time(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    /** A problem without the "body:1:1" prefix when the body is one line: the position then says little. */
    private static String oneLine(ConfigProblem p) {
        String where = p.line() > 1 ? "line " + p.line() + ": " : "";
        String hint = p.hint() == null || p.hint().isEmpty() ? "" : " (" + p.hint() + ")";
        return where + p.message() + hint;
    }

    private RuntimeChanges.Refused refused(Caller caller, String action, Object target, RuntimeChanges.Refused e) {
        audit(caller, action, target, null, null, changes.version(),
                "refused: " + e.status.code() + " " + e.getMessage());
        return e;
    }

    private void audit(Caller caller, String action, Object target, Object before, Object after, long v,
                       String result) {
        audit.append(new AuditLog.Entry(clock.instant(), caller, action, target, before, after, v, result, false));
    }

    /** The operator's words for the audit line, or null. */
    private static String reason(JsonNode body) {
        JsonNode n = body.get("reason");
        return n == null || n.isNull() ? null : n.asText();
    }

    private static int id(JsonNode body) {
        JsonNode n = body.get("id");
        if (n == null || n.isNull()) {
            throw bad("'id' is required: the failover's id, as GET /failovers lists it");
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1) {
            throw bad("'id' must be a failover id (a positive integer), got " + n);
        }
        return n.intValue();
    }

    private static String who(Caller caller) {
        return (caller.token() == null ? caller.role() : caller.token()) + " from " + caller.address();
    }

    private static RuntimeChanges.Refused bad(String reason) {
        return new RuntimeChanges.Refused(HttpResponseStatus.BAD_REQUEST, reason);
    }
}
