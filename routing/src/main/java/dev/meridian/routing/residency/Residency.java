package dev.meridian.routing.residency;

import dev.meridian.config.ResidencyConfig;
import dev.meridian.routing.geo.ClientLocation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A route's data-residency rules, compiled: which endpoint jurisdictions may serve a client of a given jurisdiction.
 * A hard filter: the cluster picks only among endpoints the answer allows, in every policy, level, panic and retry.
 */
public final class Residency {
    private final Map<String, JurisdictionSet> byClientJurisdiction;
    private final JurisdictionSet unknown;
    private final int status;
    private final String unknownRule;

    private Residency(Map<String, JurisdictionSet> byClientJurisdiction, JurisdictionSet unknown, int status,
                      String unknownRule) {
        this.byClientJurisdiction = byClientJurisdiction;
        this.unknown = unknown;
        this.status = status;
        this.unknownRule = unknownRule;
    }

    static Residency compile(ResidencyConfig config, JurisdictionSets sets) {
        Map<String, JurisdictionSet> rules = new HashMap<>();
        for (Map.Entry<String, List<String>> rule : config.allow().entrySet()) {
            rules.put(rule.getKey(), sets.intern(rule.getValue()));
        }
        String u = config.unknown();
        JurisdictionSet unknown = u == null || ResidencyConfig.DENY.equals(u)
                ? JurisdictionSet.DENIED : rules.getOrDefault(u, JurisdictionSet.ANY);
        int status = config.status() == 451 ? 451 : 503;
        return new Residency(Map.copyOf(rules), unknown, status, u == null ? ResidencyConfig.DENY : u);
    }

    /**
     * What may serve a client at {@code location}: its jurisdiction's rule, {@link JurisdictionSet#ANY} for a
     * jurisdiction without one, the configured default when the location or its jurisdiction is unknown.
     * No allocation.
     */
    public JurisdictionSet allowedFor(ClientLocation location) {
        String j = location == null ? null : location.jurisdiction();
        if (j == null) {
            return unknown;
        }
        JurisdictionSet set = byClientJurisdiction.get(j);
        return set == null ? JurisdictionSet.ANY : set;
    }

    /** The HTTP status of a refusal: 503, or 451 when the route says so. */
    public int status() {
        return status;
    }

    /** How clients of unknown location are treated, as configured: {@code deny} or a jurisdiction. */
    public String unknownRule() {
        return unknownRule;
    }

    /** The one-line reason a client is refused outright; the proxy's answer and the explain both use it. */
    public static String deniedReason(String route, ClientLocation location) {
        return "residency: route '" + route + "' serves no client of " + describe(location);
    }

    /** The one-line reason a request is refused when no endpoint it may go to takes traffic. */
    public static String noCompliantReason(String cluster, JurisdictionSet allowed, ClientLocation location) {
        return "residency: no endpoint of cluster '" + cluster + "' in " + allowed + " can take traffic for a client of "
                + describe(location);
    }

    private static String describe(ClientLocation location) {
        return location == null || location.jurisdiction() == null ? "unknown location"
                : "jurisdiction " + location.jurisdiction();
    }
}
