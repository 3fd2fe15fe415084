package dev.meridian.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meridian.config.ConfigLoader;
import dev.meridian.config.ConfigProblem;
import dev.meridian.config.ConfigResult;
import dev.meridian.config.Durations;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.MeridianConfig;
import dev.meridian.health.HealthSupervisor;
import dev.meridian.proxy.observe.AccessLog;
import dev.meridian.proxy.server.MeridianServer;
import dev.meridian.routing.AdminState;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointHealth;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.RoutingTable;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The operator's runtime changes, each a versioned transaction: drain, undrain, maintenance and weight for one
 * endpoint, a cluster's or a region's endpoints, and config reloads. The overlay (the active changes per endpoint id)
 * is the operational state the admin port decided; the config file decides structure. A reload re-applies the overlay
 * to endpoints that still exist and drops, and lists, the entries whose endpoint is gone.
 *
 * <p>Threading: everything here runs on the admin worker, one thread, so transactions, TTL expiries and reloads are
 * serialized without locks. Statuses change through the {@link HealthSupervisor} funnel (its control thread
 * republishes), so the answer may precede the republication by a few milliseconds. Readers on other threads see
 * {@link #overlay()} and {@link #version()}, both published after each transaction.
 */
final class RuntimeChanges {
    /** What one change call does to each endpoint it targets. */
    enum Action {
        DRAIN, UNDRAIN, MAINTENANCE, WEIGHT;

        String spelling() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One endpoint's active changes; a null field is "not overridden". Worker thread only. */
    private static final class Slot {
        AdminState admin;
        long adminVersion;
        Instant adminExpires;
        Integer weight;
        long weightVersion;
        Instant weightExpires;

        boolean empty() {
            return admin == null && weight == null;
        }
    }

    private static final Set<String> CHANGE_KEYS = Set.of("endpoint", "cluster", "region", "ttl", "dry_run", "reason");
    private static final Set<String> RELOAD_KEYS = Set.of("dry_run");
    private static final System.Logger LOG = System.getLogger(RuntimeChanges.class.getName());
    private static final int MAX_WEIGHT = EndpointConfig.MAX_WEIGHT;

    private final MeridianServer server;
    private final ScheduledExecutorService worker;
    private final AuditLog audit;
    private final Clock clock;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private long version;
    /** The bytes of the config file last reloaded (or started with); null when unreadable. Worker thread only. */
    private byte[] lastHash;
    private volatile ReloadOutcome lastReload;
    private volatile long publishedVersion;
    private volatile Map<String, Map<String, Object>> published = Map.of();

    RuntimeChanges(MeridianServer server, ScheduledExecutorService worker, AuditLog audit, Clock clock) {
        this.server = server;
        this.worker = worker;
        this.audit = audit;
        this.clock = clock;
        this.lastHash = ContentHash.of(server.config().source());
    }

    /** The runtime version: 0 at start, one more per applied transaction (changes, expiries, reloads). */
    long version() {
        return publishedVersion;
    }

    /**
     * Takes the next runtime version for a change made elsewhere on the worker (a failover, the continuity level), so
     * every admin change is numbered in one sequence. Worker thread only.
     */
    long nextVersion() {
        publishedVersion = ++version;
        return version;
    }

    /** The active changes per endpoint id, as shown by {@code /overlay} and {@code /endpoints}. */
    Map<String, Map<String, Object>> overlay() {
        return published;
    }

    /** A refused request: the status and the reason to answer with. */
    static final class Refused extends RuntimeException {
        final HttpResponseStatus status;

        Refused(HttpResponseStatus status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    AdminResponse change(Action action, JsonNode body, Caller caller) {
        Set<String> allowed = new LinkedHashSet<>(CHANGE_KEYS);
        if (action == Action.WEIGHT) {
            allowed.add("weight");
        }
        requireObject(body, allowed);
        Integer weight = action == Action.WEIGHT ? weight(body) : null;
        Duration ttl = ttl(body);
        boolean dryRun = bool(body, "dry_run");
        String reason = text(body, "reason");
        RoutingTable table = server.routing().current();
        Map<String, Object> target = new LinkedHashMap<>();
        List<EndpointState> endpoints = targets(body, table, target);

        List<Map<String, Object>> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        Map<String, Object> previous = new LinkedHashMap<>();
        for (EndpointState e : endpoints) {
            Slot slot = slots.get(e.id());
            Object before = describe(e, slot);
            Object prior = action == Action.WEIGHT ? (slot == null ? null : slot.weight)
                    : (slot == null ? null : slot.admin);
            Object next = action == Action.WEIGHT ? weight : adminStateOf(action);
            if (Objects.equals(prior, next)) {
                unchanged.add(e.id());
                continue;
            }
            previous.put(e.id(), prior);
            Slot after = copy(slot);
            set(after, action, next, 0, null);
            changed.add(Json.obj("endpoint", e.id(), "before", before, "after", describe(e, after)));
        }
        String verb = action.spelling();
        if (dryRun || changed.isEmpty()) {
            Map<String, Object> answer = Json.obj("version", version, "dry_run", dryRun, "action", verb,
                    "target", target, (dryRun ? "would_change" : "changed"), changed, "unchanged", unchanged);
            audit(caller, verb, target, changed, version, dryRun ? "dry_run" : "no_change", dryRun);
            return AdminResponse.ok(answer);
        }
        long v = ++version;
        Instant expires = ttl == null ? null : clock.instant().plus(ttl);
        String cause = verb + " by " + who(caller) + " (v" + v + ")" + (reason == null ? "" : ": " + reason);
        for (String id : previous.keySet()) {
            Object next = action == Action.WEIGHT ? weight : adminStateOf(action);
            Slot slot = slots.computeIfAbsent(id, k -> new Slot());
            set(slot, action, next, v, expires);
            apply(id, action, next, cause);
            if (slot.empty()) {
                slots.remove(id);
            }
        }
        if (ttl != null) {
            worker.schedule(() -> expire(v, action, previous), ttl.toNanos(), TimeUnit.NANOSECONDS);
        }
        publish();
        audit(caller, verb, target, changed, v, "applied", false);
        return AdminResponse.ok(Json.obj("version", v, "dry_run", false, "action", verb, "target", target,
                "changed", changed, "unchanged", unchanged, "expires_at", expires == null ? null : expires.toString()));
    }

    /** A TTL ran out: each endpoint the change still governs goes back to what it had before. */
    private void expire(long changeVersion, Action action, Map<String, Object> previous) {
        RoutingTable table = server.routing().current();
        List<Map<String, Object>> reverted = new ArrayList<>();
        long v = version + 1;
        String cause = action.spelling() + " v" + changeVersion + " expired (v" + v + ")";
        for (Map.Entry<String, Object> p : previous.entrySet()) {
            Slot slot = slots.get(p.getKey());
            long governing = slot == null ? -1 : action == Action.WEIGHT ? slot.weightVersion : slot.adminVersion;
            if (governing != changeVersion) {
                continue;   // a later change (or a reload that dropped the endpoint) owns it now
            }
            EndpointState e = table.endpoint(p.getKey());
            Object before = e == null ? null : describe(e, slot);
            set(slot, action, p.getValue(), 0, null);
            if (e != null) {
                apply(p.getKey(), action, p.getValue(), cause);
                reverted.add(Json.obj("endpoint", p.getKey(), "before", before, "after", describe(e, slot)));
            }
            if (slot.empty()) {
                slots.remove(p.getKey());
            }
        }
        if (reverted.isEmpty()) {
            return;
        }
        version = v;
        publish();
        audit(Caller.SYSTEM, "expire " + action.spelling(), Json.obj("change", changeVersion), reverted, v,
                "applied", false);
    }

    /** The admin call: reloads the config from the file it came from; a bad config changes nothing. */
    AdminResponse reload(JsonNode body, Caller caller) {
        requireObject(body, RELOAD_KEYS);
        return reload(caller, "admin", bool(body, "dry_run"), false);
    }

    /**
     * Reloads the config from the file it came from; a bad config changes nothing and the answer lists why. The one
     * reload path of every trigger (the admin call, the file watcher, SIGHUP), always on the worker, so reloads are
     * serialized with each other and with the overlay's transactions.
     *
     * @param onlyIfChanged skip the reload, recording nothing, when the file's bytes are those of the last reload
     *                      (or of the start): what the watcher asks, as touching a file or rewriting it unchanged
     *                      fires events too
     */
    AdminResponse reload(Caller caller, String trigger, boolean dryRun, boolean onlyIfChanged) {
        MeridianConfig current = server.config();
        Path file = Path.of(current.source());
        Map<String, Object> target = Json.obj("file", current.source(), "trigger", trigger);
        if (!Files.isRegularFile(file)) {
            audit(caller, "reload", target, null, version, "refused: no file", dryRun);
            throw new Refused(HttpResponseStatus.CONFLICT, "the running config did not come from a file (source '"
                    + current.source() + "'); there is nothing to reload");
        }
        // Hashed before loading: should the file change in between, the next event sees new bytes and reloads again.
        byte[] hash = ContentHash.of(file);
        if (onlyIfChanged && hash != null && Arrays.equals(hash, lastHash)) {
            return AdminResponse.ok(Json.obj("version", version, "result", "unchanged"));
        }
        if (!dryRun) {
            lastHash = hash;
        }
        ConfigResult result = ConfigLoader.load(file);
        if (!result.ok()) {
            List<String> problems = result.problems().stream().map(ConfigProblem::format).toList();
            audit(caller, "reload", target, problems, version, "rejected", dryRun);
            if (!dryRun) {
                rejected(trigger, problems);
            }
            return AdminResponse.json(HttpResponseStatus.UNPROCESSABLE_ENTITY, Json.obj("result", "rejected",
                    "version", version, "problems", problems, "hint", "the running config stays; fix the file and"
                            + " reload again"));
        }
        MeridianConfig next = result.config();
        Set<String> ids = new LinkedHashSet<>();
        next.clusters().forEach(c -> c.endpoints().forEach(e -> ids.add(e.id())));
        List<Map<String, Object>> stale = new ArrayList<>();
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            if (!ids.contains(e.getKey())) {
                stale.add(Json.obj("endpoint", e.getKey(), "overlay", entry(e.getValue())));
            }
        }
        List<String> restart = restartRequired(current, next);
        String logProblem = dryRun && !next.accessLog().equals(current.accessLog())
                ? AccessLog.wouldNotOpen(next.accessLog()) : null;
        if (logProblem != null) {
            // What the real reload would answer, found without opening (or creating) anything.
            audit(caller, "reload", target, List.of(logProblem), version, "rejected", true);
            return AdminResponse.json(HttpResponseStatus.UNPROCESSABLE_ENTITY, Json.obj("result", "rejected",
                    "version", version, "problems", List.of(logProblem), "hint", "the running config stays"));
        }
        if (dryRun) {
            audit(caller, "reload", target, stale, version, "dry_run", true);
            return AdminResponse.ok(Json.obj("version", version, "dry_run", true, "result", "valid",
                    "stale_overlay", stale, "restart_required", restart));
        }
        RoutingTable table;
        try {
            table = server.reload(next);
        } catch (RuntimeException e) {
            String problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            audit(caller, "reload", target, List.of(problem), version, "rejected", false);
            rejected(trigger, List.of(problem));
            return AdminResponse.json(HttpResponseStatus.UNPROCESSABLE_ENTITY, Json.obj("result", "rejected",
                    "version", version, "problems", List.of(problem), "hint", "the running config stays"));
        }
        long v = ++version;
        List<String> reapplied = new ArrayList<>();
        String cause = "overlay re-applied after reload (v" + v + ")";
        for (Iterator<Map.Entry<String, Slot>> it = slots.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Slot> e = it.next();
            if (table.endpoint(e.getKey()) == null) {
                it.remove();
                continue;
            }
            // The endpoint's state object carried its inputs over; setting them again is a no-op then, and covers a
            // state built afresh.
            Slot s = e.getValue();
            if (s.admin != null) {
                apply(e.getKey(), Action.DRAIN, s.admin, cause);
            }
            if (s.weight != null) {
                apply(e.getKey(), Action.WEIGHT, s.weight, cause);
            }
            reapplied.add(e.getKey());
        }
        publish();
        audit(caller, "reload", target, Json.obj("config_version", table.version(), "stale_overlay", stale), v,
                "applied", false);
        server.stats().reloadsOk.increment();
        lastReload = new ReloadOutcome(clock.instant(), true, trigger, List.of());
        LOG.log(Level.INFO, () -> "config reloaded from " + next.source() + " (" + trigger + "): config version "
                + table.version() + (restart.isEmpty() ? "" : "; restart to apply " + String.join(", ", restart)));
        return AdminResponse.ok(Json.obj("version", v, "dry_run", false, "result", "applied",
                "config_version", table.version(), "source", next.source(), "reapplied", reapplied,
                "stale_overlay", stale, "restart_required", restart));
    }

    /** How the last reload (not a dry run, not a skipped unchanged file) went; null before the first. */
    ReloadOutcome lastReload() {
        return lastReload;
    }

    private void rejected(String trigger, List<String> problems) {
        server.stats().reloadsFailed.increment();
        lastReload = new ReloadOutcome(clock.instant(), false, trigger, problems);
        LOG.log(Level.WARNING, () -> "config reload (" + trigger + ") rejected, the running config stays; "
                + problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }

    private void apply(String id, Action action, Object value, String cause) {
        HealthSupervisor health = server.health();
        if (action == Action.WEIGHT) {
            health.weightOverride(id, value == null ? EndpointHealth.NO_WEIGHT_OVERRIDE : (Integer) value, cause);
        } else {
            health.adminState(id, value == null ? AdminState.ACTIVE : (AdminState) value, cause);
        }
    }

    private static void set(Slot slot, Action action, Object value, long v, Instant expires) {
        if (action == Action.WEIGHT) {
            slot.weight = (Integer) value;
            slot.weightVersion = v;
            slot.weightExpires = value == null ? null : expires;
        } else {
            slot.admin = (AdminState) value;
            slot.adminVersion = v;
            slot.adminExpires = value == null ? null : expires;
        }
    }

    private static Slot copy(Slot s) {
        Slot c = new Slot();
        if (s != null) {
            c.admin = s.admin;
            c.weight = s.weight;
        }
        return c;
    }

    private static AdminState adminStateOf(Action action) {
        return switch (action) {
            case DRAIN -> AdminState.DRAINING;
            case MAINTENANCE -> AdminState.MAINTENANCE;
            default -> null;
        };
    }

    /** An endpoint's operational state as the overlay {@code slot} would leave it. */
    private static Map<String, Object> describe(EndpointState e, Slot slot) {
        AdminState admin = slot == null || slot.admin == null ? AdminState.ACTIVE : slot.admin;
        Integer override = slot == null ? null : slot.weight;
        return Json.obj("admin_state", admin.name().toLowerCase(Locale.ROOT),
                "weight", override == null ? e.config().weight() : override, "weight_override", override);
    }

    private static Map<String, Object> entry(Slot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (s.admin != null) {
            m.put("admin_state", s.admin.name().toLowerCase(Locale.ROOT));
            m.put("admin_version", s.adminVersion);
            m.put("admin_expires_at", s.adminExpires == null ? null : s.adminExpires.toString());
        }
        if (s.weight != null) {
            m.put("weight", s.weight);
            m.put("weight_version", s.weightVersion);
            m.put("weight_expires_at", s.weightExpires == null ? null : s.weightExpires.toString());
        }
        return m;
    }

    private void publish() {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        slots.forEach((id, s) -> m.put(id, entry(s)));
        published = java.util.Collections.unmodifiableMap(m);
        publishedVersion = version;
    }

    private void audit(Caller caller, String action, Object target, Object changes, long v, String result,
                       boolean dryRun) {
        audit.append(new AuditLog.Entry(clock.instant(), caller, action, target, before(changes), after(changes), v,
                result, dryRun));
    }

    /** The audit line's before: each change's before, by endpoint; other payloads go to after whole. */
    @SuppressWarnings("unchecked")
    private static Object before(Object changes) {
        if (!(changes instanceof List<?> list) || list.isEmpty() || !(list.get(0) instanceof Map<?, ?> first)
                || !first.containsKey("before")) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (Object o : list) {
            Map<String, Object> c = (Map<String, Object>) o;
            m.put((String) c.get("endpoint"), c.get("before"));
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Object after(Object changes) {
        if (before(changes) == null) {
            return changes;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (Object o : (List<?>) changes) {
            Map<String, Object> c = (Map<String, Object>) o;
            m.put((String) c.get("endpoint"), c.get("after"));
        }
        return m;
    }

    private static String who(Caller caller) {
        return (caller.token() == null ? caller.role() : caller.token()) + " from " + caller.address();
    }

    private static List<String> restartRequired(MeridianConfig a, MeridianConfig b) {
        List<String> sections = new ArrayList<>();
        if (!a.listeners().equals(b.listeners())) {
            sections.add("listeners");
        }
        if (!a.admin().equals(b.admin())) {
            sections.add("admin");
        }
        if (!a.server().equals(b.server())) {
            sections.add("server");
        }
        return sections;
    }

    /** The endpoints a change targets: one by id, or those of a cluster and/or a region. */
    private static List<EndpointState> targets(JsonNode body, RoutingTable table, Map<String, Object> target) {
        String endpoint = text(body, "endpoint");
        String cluster = text(body, "cluster");
        String region = text(body, "region");
        if (endpoint != null) {
            if (cluster != null || region != null) {
                throw bad("give 'endpoint' alone, or 'cluster' and/or 'region'");
            }
            EndpointState e = table.endpoint(endpoint);
            if (e == null) {
                throw new Refused(HttpResponseStatus.NOT_FOUND, "no endpoint '" + endpoint + "' in the running config");
            }
            target.put("endpoint", endpoint);
            return List.of(e);
        }
        if (cluster == null && region == null) {
            throw bad("say what to change: 'endpoint', 'cluster' or 'region'");
        }
        List<Cluster> clusters;
        if (cluster != null) {
            Cluster c = table.cluster(cluster);
            if (c == null) {
                throw new Refused(HttpResponseStatus.NOT_FOUND, "no cluster '" + cluster + "' in the running config");
            }
            clusters = List.of(c);
            target.put("cluster", cluster);
        } else {
            clusters = table.clusters();
        }
        if (region != null) {
            if (table.config().regions().stream().noneMatch(r -> r.name().equals(region))) {
                throw new Refused(HttpResponseStatus.NOT_FOUND, "no region '" + region + "' in the running config");
            }
            target.put("region", region);
        }
        Set<EndpointState> out = new LinkedHashSet<>();
        for (Cluster c : clusters) {
            for (EndpointState e : c.endpoints()) {
                if (region == null || region.equals(e.config().region())) {
                    out.add(e);
                }
            }
        }
        if (out.isEmpty()) {
            throw new Refused(HttpResponseStatus.NOT_FOUND, "no endpoint of cluster '" + cluster + "' in region '"
                    + region + "'");
        }
        return List.copyOf(out);
    }

    /** A JSON object holding no key but {@code allowed}; every admin change's body is checked so. */
    static void requireObject(JsonNode body, Set<String> allowed) {
        if (!body.isObject()) {
            throw bad("expected a JSON object, got " + body.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw bad("unknown key '" + key + "'; allowed: " + String.join(", ", allowed.stream().sorted()
                        .toList()));
            }
        }
    }

    private static Integer weight(JsonNode body) {
        JsonNode w = body.get("weight");
        if (w == null) {
            throw bad("'weight' is required: 0.." + MAX_WEIGHT + ", or null to go back to the configured weight");
        }
        if (w.isNull()) {
            return null;
        }
        if (!w.canConvertToInt() || !w.isIntegralNumber() || w.intValue() < 0 || w.intValue() > MAX_WEIGHT) {
            throw bad("'weight' must be an integer 0.." + MAX_WEIGHT + ", or null for the configured weight; got "
                    + w);
        }
        return w.intValue();
    }

    private static Duration ttl(JsonNode body) {
        String text = text(body, "ttl");
        if (text == null) {
            return null;
        }
        Duration d = Durations.parse(text);
        if (d == null || d.isZero() || d.isNegative()) {
            throw bad("bad ttl '" + text + "': " + Durations.EXAMPLES);
        }
        return d;
    }

    private static boolean bool(JsonNode body, String key) {
        JsonNode n = body.get(key);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw bad("'" + key + "' must be true or false, got " + n);
        }
        return n.booleanValue();
    }

    private static String text(JsonNode body, String key) {
        JsonNode n = body.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual() || n.textValue().isBlank()) {
            throw bad("'" + key + "' must be a non-empty string, got " + n);
        }
        return n.textValue();
    }

    private static Refused bad(String reason) {
        return new Refused(HttpResponseStatus.BAD_REQUEST, reason);
    }
}
