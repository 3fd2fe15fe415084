package dev.meridian.config;

import dev.meridian.config.YamlNode.YamlList;
import dev.meridian.config.YamlNode.YamlScalar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Binds a cluster's {@code failover} list: shifts declared to start by themselves when their source region fails.
 * Every name is checked against this cluster (its endpoints, their regions and priority levels) at once, since a
 * failover that names a region the cluster has no endpoint in would only be found out during an outage.
 */
final class FailoverBinder {
    static final Schema FAILOVER = new Schema("failover", "failovers",
            List.of("from", "to", "strategy", "steps", "hold", "trigger", "guard", "max_shift_rate"),
            List.of("from", "to"));
    static final Schema SELECTOR = new Schema("failover side", "failover sides",
            List.of("region", "priority", "endpoints"), List.of());
    static final Schema GUARD = new Schema("failover guard", "failover guards",
            List.of("max_error_percent", "max_p99"), List.of());

    private static final List<String> STRATEGIES =
            Arrays.stream(FailoverStrategy.values()).map(FailoverStrategy::yamlName).toList();
    private static final List<String> TRIGGERS =
            Arrays.stream(FailoverTrigger.values()).map(FailoverTrigger::yamlName).toList();
    private static final String STEPS_HINT = "rising percents of the source's traffic ending at 100, e.g. [10, 50, 100]";

    private final Problems problems;

    FailoverBinder(Problems problems) {
        this.problems = problems;
    }

    /**
     * The cluster's declared failovers; those with a problem are reported and left out.
     *
     * @param regions the config's declared region names
     */
    List<FailoverConfig> bind(Fields cluster, Policy policy, List<EndpointConfig> endpoints, Set<String> regions) {
        List<FailoverConfig> out = new ArrayList<>();
        YamlList list = cluster.forEach("failover", FAILOVER, false, (f, i) -> {
            FailoverConfig c = failover(f, endpoints, regions, true);
            if (c != null) {
                out.add(c);
            }
        });
        if (list != null && policy == Policy.GEO && !list.items().isEmpty()) {
            problems.add(cluster.key("failover"), "failover shifts do not apply to geo clusters yet",
                    "a geo cluster already sends a failed region's clients to the nearest healthy region; "
                            + "use its geo spill settings");
            return List.of();
        }
        return out;
    }

    /**
     * One failover; null when it has a problem (reported).
     *
     * @param declared from a cluster's {@code failover} list, started by its trigger; false: sent to the admin port,
     *                 which may shift a priority level or an endpoint list too, and has no trigger
     */
    FailoverConfig failover(Fields f, List<EndpointConfig> endpoints, Set<String> regions, boolean declared) {
        int before = problems.size();
        TrafficSelector from = side(f, "from", endpoints, regions);
        TrafficSelector to = side(f, "to", endpoints, regions);
        if (from != null && to != null) {
            overlap(f, from, to, endpoints);
        }
        if (declared && from != null && from.kind() != TrafficSelector.Kind.REGION) {
            problems.add(f.value("from"), "a declared failover must shift away from a region",
                    "it starts when its source region's status falls (trigger); shifts of priority levels or "
                            + "endpoint lists are started from the admin port");
        }
        FailoverStrategy strategy = strategy(f);
        List<Integer> steps = steps(f, strategy);
        Duration hold = f.duration("hold", FailoverConfig.DEFAULT_HOLD, true);
        Fields guardFields = f.nested("guard", GUARD);
        FailoverGuard guard = guardFields == null ? FailoverGuard.DEFAULT : guard(guardFields);
        double rate = f.decimal("max_shift_rate", 0, 0, 100);
        FailoverTrigger trigger = declared ? trigger(f) : null;
        if (problems.size() > before || from == null || to == null || strategy == null) {
            return null;
        }
        return new FailoverConfig(from, to, strategy, steps, hold, guard, rate, trigger);
    }

    private TrafficSelector side(Fields parent, String key, List<EndpointConfig> endpoints, Set<String> regions) {
        Fields f = parent.nested(key, SELECTOR);
        if (f == null) {
            return null;
        }
        List<String> given = SELECTOR.keys().stream().filter(f::has).toList();
        if (given.size() != 1) {
            problems.add(given.size() > 1 ? f.value(given.get(1)) : f.map(),
                    given.size() > 1 ? "'" + given.get(0) + "' and '" + given.get(1) + "' cannot both be set"
                            : "'" + key + "' names no endpoints",
                    "one of region: <name>, priority: <level> or endpoints: [<id>, ...]");
            return null;
        }
        return switch (given.get(0)) {
            case "region" -> region(f, endpoints, regions);
            case "priority" -> priority(f, endpoints);
            default -> endpointList(f, endpoints);
        };
    }

    private TrafficSelector region(Fields f, List<EndpointConfig> endpoints, Set<String> regions) {
        String name = f.string("region");
        if (name == null) {
            return null;
        }
        if (!regions.contains(name)) {
            problems.add(f.value("region"), "unknown region '" + name + "'",
                    Suggestions.hint(name, regions, "declared regions"));
            return null;
        }
        Set<String> used = new LinkedHashSet<>();
        endpoints.forEach(e -> used.add(e.region()));
        if (!used.contains(name)) {
            problems.add(f.value("region"), "this cluster has no endpoint in region '" + name + "'",
                    "regions of its endpoints: " + String.join(", ", used));
            return null;
        }
        return TrafficSelector.region(name);
    }

    private TrafficSelector priority(Fields f, List<EndpointConfig> endpoints) {
        int level = f.integer("priority", -1, 0, 9);
        if (level < 0) {
            return null;
        }
        Set<Integer> used = new TreeSet<>();
        endpoints.forEach(e -> used.add(e.priority()));
        if (!used.contains(level)) {
            problems.add(f.value("priority"), "this cluster has no endpoint at priority " + level,
                    "levels of its endpoints: " + used);
            return null;
        }
        return TrafficSelector.priority(level);
    }

    private TrafficSelector endpointList(Fields f, List<EndpointConfig> endpoints) {
        YamlList list = f.list("endpoints", "a list of endpoint ids of this cluster, e.g. [api-1, api-2]");
        if (list == null) {
            return null;
        }
        if (list.items().isEmpty()) {
            problems.add(list, "'endpoints' is empty", "list at least one endpoint id of this cluster");
            return null;
        }
        List<String> ids = endpoints.stream().map(EndpointConfig::id).toList();
        Set<String> chosen = new LinkedHashSet<>();
        boolean ok = true;
        for (YamlNode item : list.items()) {
            if (!(item instanceof YamlScalar s) || s.kind() != YamlScalar.Kind.STRING) {
                problems.add(item, "expected an endpoint id, got " + Fields.describe(item), "e.g. [api-1, api-2]");
                ok = false;
            } else if (!ids.contains(s.text())) {
                problems.add(s, "unknown endpoint '" + s.text() + "' in this cluster",
                        Suggestions.hint(s.text(), ids, "its endpoints"));
                ok = false;
            } else if (!chosen.add(s.text())) {
                problems.add(s, "endpoint '" + s.text() + "' listed twice", "list each endpoint once");
                ok = false;
            }
        }
        return ok ? TrafficSelector.endpoints(List.copyOf(chosen)) : null;
    }

    /** The two sides must not share an endpoint: it would be asked to give traffic to itself. */
    private void overlap(Fields f, TrafficSelector from, TrafficSelector to, List<EndpointConfig> endpoints) {
        List<String> both = endpoints.stream().filter(e -> from.selects(e) && to.selects(e))
                .map(EndpointConfig::id).toList();
        if (!both.isEmpty()) {
            problems.add(f.value("to"), "'from' (" + from + ") and 'to' (" + to + ") share endpoints " + both,
                    "a shift moves traffic between two disjoint sets of the cluster's endpoints");
        }
    }

    private FailoverStrategy strategy(Fields f) {
        String text = f.string("strategy");
        if (text == null) {
            return FailoverStrategy.GRADUAL;
        }
        FailoverStrategy s = FailoverStrategy.named(text);
        if (s == null) {
            problems.add(f.value("strategy"), "unknown failover strategy '" + text + "'",
                    Suggestions.hint(text, STRATEGIES, "strategies"));
        }
        return s;
    }

    private List<Integer> steps(Fields f, FailoverStrategy strategy) {
        YamlList list = f.list("steps", STEPS_HINT);
        if (list == null) {
            return null;
        }
        if (strategy != null && !strategy.takesSteps()) {
            problems.add(f.key("steps"), "'steps' does not apply to strategy " + strategy.yamlName(),
                    "only gradual and canary take steps; " + strategy.yamlName()
                            + (strategy == FailoverStrategy.ROLLING ? " moves one source endpoint per step"
                            : " moves everything in one step"));
            return null;
        }
        if (list.items().isEmpty()) {
            problems.add(list, "'steps' is empty", STEPS_HINT);
            return null;
        }
        List<Integer> steps = new ArrayList<>();
        int previous = 0;
        for (YamlNode item : list.items()) {
            if (!(item instanceof YamlScalar s) || s.kind() != YamlScalar.Kind.INTEGER) {
                problems.add(item, "expected a percent in 'steps', got " + Fields.describe(item), STEPS_HINT);
                return null;
            }
            int v = s.number().intValue();
            if (v < 1 || v > 100 || s.number().longValue() != v) {
                problems.add(s, "step " + s.text() + " out of range", "1..100");
                return null;
            }
            if (v <= previous) {
                problems.add(s, "step " + v + " does not rise above " + previous, STEPS_HINT);
                return null;
            }
            steps.add(v);
            previous = v;
        }
        if (previous != 100) {
            problems.add(list.items().get(list.items().size() - 1), "the last step is " + previous + ", not 100",
                    "a failover ends with all of the source's traffic moved; add 100");
            return null;
        }
        return steps;
    }

    private FailoverGuard guard(Fields f) {
        FailoverGuard d = FailoverGuard.DEFAULT;
        return new FailoverGuard(f.decimal("max_error_percent", d.maxErrorPercent(), 0, 100),
                f.duration("max_p99", d.maxP99(), false));
    }

    private FailoverTrigger trigger(Fields f) {
        String text = f.string("trigger");
        if (text == null) {
            return FailoverTrigger.FAILED;
        }
        if (!TRIGGERS.contains(text)) {
            problems.add(f.value("trigger"), "unknown trigger '" + text + "'",
                    Suggestions.hint(text, TRIGGERS, "triggers") + " (the source region's status, or worse)");
            return FailoverTrigger.FAILED;
        }
        return FailoverTrigger.valueOf(text.toUpperCase(Locale.ROOT));
    }
}
