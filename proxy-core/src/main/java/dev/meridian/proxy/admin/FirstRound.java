package dev.meridian.proxy.admin;

import dev.meridian.config.ClusterConfig;
import dev.meridian.health.ActiveCheckListener;
import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.RoutingTable;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Whether the first round of active health checks is done: every endpoint of the starting table whose cluster
 * configures checks has had its first result (the checker always reports a first result). Until then the proxy may
 * send traffic to endpoints it has not yet seen fail, so {@code /ready} says no. Latched: once done, reloads and later
 * endpoints do not make the proxy unready again.
 */
public final class FirstRound implements ActiveCheckListener {
    private final ActiveCheckListener next;
    private final Set<EndpointState> waiting = Collections.synchronizedSet(
            Collections.newSetFromMap(new IdentityHashMap<>()));
    private volatile boolean done;

    /** Passes every report on to {@code next}, noting first results of {@code table}'s checked endpoints. */
    public FirstRound(ActiveCheckListener next, RoutingTable table) {
        this.next = next;
        for (Cluster c : table.clusters()) {
            ClusterConfig cc = c.config();
            if (cc.healthCheck() != null) {
                waiting.addAll(c.endpoints());
            }
        }
        done = waiting.isEmpty();
    }

    public boolean done() {
        return done;
    }

    /** Endpoints still waiting for their first check result. */
    int waiting() {
        return waiting.size();
    }

    private void seen(EndpointState endpoint) {
        if (!done && waiting.remove(endpoint) && waiting.isEmpty()) {
            done = true;
        }
    }

    @Override
    public void checkedHealthy(EndpointState endpoint, String cause) {
        seen(endpoint);
        next.checkedHealthy(endpoint, cause);
    }

    @Override
    public void checkedUnhealthy(EndpointState endpoint, String cause) {
        seen(endpoint);
        next.checkedUnhealthy(endpoint, cause);
    }
}
