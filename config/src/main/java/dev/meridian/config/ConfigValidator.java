package dev.meridian.config;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Cross-reference rules, checked once the whole document is bound: names are unique within their kind, every
 * reference names something declared, and a route's rules can be met by the clusters it sends to. Declarations,
 * references and route rules are collected during binding, in any order, so a route may name a cluster declared
 * further down.
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

    /**
     * The parts of a route checked against the clusters it reaches, with where they were written.
     *
     * @param allowAt   the key of each residency rule read cleanly (a rule already reported is not checked again)
     * @param unknownAt the value of {@code unknown} when it names a jurisdiction, else null
     * @param scoreAt   the {@code score} key, null when absent
     */
    record RouteRules(RouteConfig route, Map<String, YamlNode> allowAt, YamlNode unknownAt, YamlNode scoreAt) {
        RouteRules {
            allowAt = Map.copyOf(allowAt);
        }
    }

    private final Map<Kind, List<Mention>> declared = new EnumMap<>(Kind.class);
    private final Map<Kind, List<Mention>> referenced = new EnumMap<>(Kind.class);
    private final List<RouteRules> routeRules = new ArrayList<>();

    /** Records a name; {@code at} is where a duplicate would be reported (the value, or the map for a default). */
    void declare(Kind kind, String name, YamlNode at) {
        declared.computeIfAbsent(kind, k -> new ArrayList<>()).add(new Mention(name, at));
    }

    void reference(Kind kind, String name, YamlNode at) {
        referenced.computeIfAbsent(kind, k -> new ArrayList<>()).add(new Mention(name, at));
    }

    void routeRules(RouteRules rules) {
        routeRules.add(rules);
    }

    /** Checks everything collected; {@code config} is the bound document (null when the root was not a map). */
    void validate(Problems problems, MeridianConfig config) {
        names(problems);
        if (config != null) {
            for (RouteRules r : routeRules) {
                List<ClusterConfig> targets = targets(r.route(), config);
                residency(r, targets, config, problems);
                score(r, targets, problems);
            }
        }
    }

    private void names(Problems problems) {
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

    /**
     * The compliance promise: a residency rule that no endpoint the route reaches could ever meet would
     * refuse every one of those clients, so it is refused here instead. Each cluster the route sends to is checked on
     * its own: a split arm that cannot serve a client fails that client's share of requests every time.
     */
    private static void residency(RouteRules r, List<ClusterConfig> targets, MeridianConfig config,
                                  Problems problems) {
        ResidencyConfig residency = r.route().residency();
        if (residency == null) {
            return;
        }
        for (Map.Entry<String, YamlNode> rule : r.allowAt().entrySet()) {
            List<String> allowed = residency.allow().get(rule.getKey());
            for (ClusterConfig cluster : targets) {
                Set<String> served = jurisdictions(cluster, config);
                if (served != null && served.stream().noneMatch(allowed::contains)) {
                    problems.add(rule.getValue(), "no endpoint of cluster '" + cluster.name() + "' can serve "
                                    + rule.getKey() + " clients: none is in " + String.join(" or ", allowed),
                            servedHint(served, "add an endpoint in " + String.join(" or ", allowed) + " to '" + cluster.name()
                                    + "'", "or allow one of those for " + rule.getKey()));
                }
            }
        }
        if (r.unknownAt() != null && !knownJurisdictions(config, residency).contains(residency.unknown())) {
            // A typo here would quietly let clients of unknown location go anywhere.
            problems.add(r.unknownAt(), "unknown '" + residency.unknown() + "' names no jurisdiction of this config",
                    Suggestions.hint(residency.unknown(), knownJurisdictions(config, residency),
                            "jurisdictions of its rules, regions and endpoints") + "; or deny");
            return;
        }
        // Named, without a rule of its own: clients of unknown location are unrestricted, so any endpoint will do.
        if (r.unknownAt() != null && !residency.allow().containsKey(residency.unknown())) {
            for (ClusterConfig cluster : targets) {
                Set<String> served = jurisdictions(cluster, config);
                if (served != null && served.isEmpty()) {
                    problems.add(r.unknownAt(), "no endpoint of cluster '" + cluster.name()
                                    + "' can serve clients of unknown location",
                            servedHint(served, "", ""));
                }
            }
        }
    }

    private static Set<String> knownJurisdictions(MeridianConfig config, ResidencyConfig residency) {
        Set<String> known = new TreeSet<>(residency.allow().keySet());
        residency.allow().values().forEach(known::addAll);
        for (RegionConfig region : config.regions()) {
            if (region.jurisdiction() != null) {
                known.add(region.jurisdiction());
            }
        }
        for (ClusterConfig c : config.clusters()) {
            for (EndpointConfig e : c.endpoints()) {
                if (e.jurisdiction() != null) {
                    known.add(e.jurisdiction());
                }
            }
        }
        return known;
    }

    private static String servedHint(Set<String> served, String fix, String alternative) {
        if (served.isEmpty()) {
            return "every endpoint of the cluster has weight 0; give one a weight above 0";
        }
        return "its endpoints with a weight above 0 are in " + String.join(", ", served) + "; " + fix + ", "
                + alternative;
    }

    /** A route's score weights only act on clusters that score; elsewhere they would be silently ignored. */
    private static void score(RouteRules r, List<ClusterConfig> targets, Problems problems) {
        if (r.scoreAt() == null || targets.isEmpty()) {
            return;
        }
        for (ClusterConfig c : targets) {
            if (c.policy() == Policy.SCORE || c.policy() == Policy.GEO && c.geo().within() == Policy.SCORE) {
                return;
            }
        }
        ClusterConfig first = targets.get(0);
        problems.add(r.scoreAt(), "'score' has no effect: cluster '" + first.name() + "' uses policy "
                        + first.policy().yamlName(),
                "score weights apply to clusters with policy: score (or geo within score); set that policy or remove"
                        + " 'score'");
    }

    /** The declared clusters the route sends traffic to: its cluster, or each split arm with a weight above 0. */
    private static List<ClusterConfig> targets(RouteConfig route, MeridianConfig config) {
        Set<String> names = new LinkedHashSet<>();
        if (route.cluster() != null) {
            names.add(route.cluster());
        }
        for (WeightedCluster arm : route.split()) {
            if (arm.weight() > 0 && arm.cluster() != null) {
                names.add(arm.cluster());
            }
        }
        List<ClusterConfig> targets = new ArrayList<>();
        for (String name : names) {
            ClusterConfig c = config.cluster(name);
            if (c != null) {
                targets.add(c);
            }
        }
        return targets;
    }

    /**
     * The jurisdictions of the cluster's endpoints that take traffic (an endpoint's own, else its region's), sorted;
     * null when one cannot be told because its region is unknown, already reported, so as not to report a rule as
     * unsatisfiable on a guess.
     */
    private static Set<String> jurisdictions(ClusterConfig cluster, MeridianConfig config) {
        Set<String> found = new TreeSet<>();
        for (EndpointConfig e : cluster.endpoints()) {
            if (e.weight() == 0) {
                continue;
            }
            String j = e.jurisdiction();
            if (j == null) {
                RegionConfig region = e.region() == null ? null : config.region(e.region());
                if (region == null || region.jurisdiction() == null) {
                    return null;
                }
                j = region.jurisdiction();
            }
            found.add(j);
        }
        return found;
    }
}
