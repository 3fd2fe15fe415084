package dev.meridian.routing;

import dev.meridian.config.ClusterConfig;
import dev.meridian.config.EndpointConfig;
import dev.meridian.config.MeridianConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The endpoint states of a table being built. States whose id the previous table knew are reused, so live figures
 * survive the reload; their new config and address are applied only by {@link #commit()}, once nothing else in the
 * build can fail, so a rejected config leaves the running table untouched.
 */
final class EndpointStates {
    private final Map<String, EndpointState> byId;
    private final List<Rebind> pending;

    private record Rebind(EndpointState state, EndpointBinding binding, ClusterLoad load) {
    }

    private EndpointStates(Map<String, EndpointState> byId, List<Rebind> pending) {
        this.byId = Collections.unmodifiableMap(byId);
        this.pending = pending;
    }

    /**
     * Resolves every endpoint of {@code config} and pairs it with its state: the previous one of that id, or a new
     * one. Each cluster's load total is the previous one of that name, so requests in flight stay counted.
     *
     * @throws IllegalArgumentException when two endpoints share an id
     */
    static EndpointStates carryOver(MeridianConfig config, Map<String, EndpointState> previous) {
        Map<String, EndpointState> byId = new LinkedHashMap<>();
        List<Rebind> pending = new ArrayList<>();
        Map<String, ClusterLoad> loads = new HashMap<>();
        for (EndpointState s : previous.values()) {
            loads.putIfAbsent(s.clusterLoad().cluster(), s.clusterLoad());
        }
        for (ClusterConfig cluster : config.clusters()) {
            ClusterLoad load = loads.computeIfAbsent(cluster.name(), ClusterLoad::new);
            for (EndpointConfig endpoint : cluster.endpoints()) {
                EndpointBinding binding = EndpointBinding.resolve(endpoint);
                EndpointState old = previous.get(endpoint.id());
                EndpointState state = old != null ? old : new EndpointState(binding, load);
                if (byId.putIfAbsent(endpoint.id(), state) != null) {
                    throw new IllegalArgumentException("endpoint id: " + endpoint.id() + " in cluster "
                            + cluster.name() + " (expected: unique across the config)");
                }
                if (old != null) {
                    pending.add(new Rebind(old, binding, load));
                }
            }
        }
        return new EndpointStates(byId, pending);
    }

    EndpointState get(String id) {
        return byId.get(id);
    }

    Map<String, EndpointState> byId() {
        return byId;
    }

    /** Moves the reused states to their new config; call last, when the table is certain to be built. */
    void commit() {
        for (Rebind r : pending) {
            r.state().rebind(r.binding(), r.load());
        }
    }
}
