package dev.meridian.routing.residency;

import dev.meridian.config.ResidencyConfig;
import dev.meridian.config.RouteConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The distinct allowed sets of one routing table's residency rules, each with its id. Built once per table. */
public final class JurisdictionSets {
    private final Map<Set<String>, JurisdictionSet> byMembers = new LinkedHashMap<>();

    private JurisdictionSets() {
    }

    /** Interns every allowed list the routes' rules name. */
    public static JurisdictionSets of(List<RouteConfig> routes) {
        JurisdictionSets sets = new JurisdictionSets();
        for (RouteConfig r : routes) {
            if (r.residency() != null) {
                for (List<String> allowed : r.residency().allow().values()) {
                    sets.intern(allowed);
                }
            }
        }
        return sets;
    }

    JurisdictionSet intern(List<String> allowed) {
        Set<String> key = Set.copyOf(new HashSet<>(allowed));
        return byMembers.computeIfAbsent(key, k -> new JurisdictionSet(byMembers.size() + 1, k));
    }

    /** The sets in id order (ids 1..n); {@link JurisdictionSet#ANY} is not among them. */
    public List<JurisdictionSet> all() {
        return new ArrayList<>(byMembers.values());
    }

    /** The compiled rules of one route, sharing this table's sets. */
    public Residency residency(ResidencyConfig config) {
        return Residency.compile(config, this);
    }
}
