package dev.meridian.config;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cross-reference rules, checked once the whole document is bound: names are unique within their kind, and every
 * reference names something declared. Declarations and references are collected during binding, in any order, so a
 * route may name a cluster declared further down.
 */
final class ConfigValidator {

    /** The kinds of named things, with the words problems use for them. */
    enum Kind {
        LISTENER("listener name", "listener", "listeners"),
        REGION("region name", "region", "regions"),
        CLUSTER("cluster name", "cluster", "clusters"),
        ENDPOINT("endpoint id", "endpoint", "endpoints"),
        ROUTE("route name", "route", "routes");

        private final String declaredAs;
        private final String referredAs;
        private final String plural;

        Kind(String declaredAs, String referredAs, String plural) {
            this.declaredAs = declaredAs;
            this.referredAs = referredAs;
            this.plural = plural;
        }
    }

    private record Mention(String name, YamlNode at) {
    }

    private final Map<Kind, List<Mention>> declared = new EnumMap<>(Kind.class);
    private final Map<Kind, List<Mention>> referenced = new EnumMap<>(Kind.class);

    /** Records a name; {@code at} is where a duplicate would be reported (the value, or the map for a default). */
    void declare(Kind kind, String name, YamlNode at) {
        declared.computeIfAbsent(kind, k -> new ArrayList<>()).add(new Mention(name, at));
    }

    void reference(Kind kind, String name, YamlNode at) {
        referenced.computeIfAbsent(kind, k -> new ArrayList<>()).add(new Mention(name, at));
    }

    void validate(Problems problems) {
        for (Kind kind : Kind.values()) {
            Map<String, Mention> first = new LinkedHashMap<>();
            for (Mention m : declared.getOrDefault(kind, List.of())) {
                Mention earlier = first.putIfAbsent(m.name(), m);
                if (earlier != null) {
                    problems.add(m.at(), "duplicate " + kind.declaredAs + " '" + m.name() + "'",
                            "first declared at line " + earlier.at().line());
                }
            }
            for (Mention ref : referenced.getOrDefault(kind, List.of())) {
                if (!first.containsKey(ref.name())) {
                    problems.add(ref.at(), "unknown " + kind.referredAs + " '" + ref.name() + "'",
                            Suggestions.hint(ref.name(), first.keySet(), "declared " + kind.plural));
                }
            }
        }
    }
}
