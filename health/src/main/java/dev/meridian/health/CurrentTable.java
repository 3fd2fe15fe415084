package dev.meridian.health;

import dev.meridian.routing.Cluster;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.RoutingTableRef;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The control thread's view of the published table: which cluster each endpoint belongs to. Follows the reference
 * on every use, so a reload is seen even before {@code tableChanged} arrives. Control thread only.
 */
final class CurrentTable {
    private final RoutingTableRef ref;
    private RoutingTable table;
    private Map<EndpointState, Cluster> clusterOf = Map.of();

    CurrentTable(RoutingTableRef ref) {
        this.ref = ref;
    }

    RoutingTable table() {
        RoutingTable now = ref.current();
        if (now != table) {
            Map<EndpointState, Cluster> index = new IdentityHashMap<>();
            for (Cluster c : now.clusters()) {
                for (EndpointState s : c.endpoints()) {
                    index.put(s, c);
                }
            }
            clusterOf = index;
            table = now;
        }
        return table;
    }

    /** The endpoint's cluster in the current table, or null when a reload removed it. */
    Cluster clusterOf(EndpointState endpoint) {
        table();
        return clusterOf.get(endpoint);
    }

    /** The cluster of that name in the current table, or null. */
    Cluster cluster(String name) {
        return table().cluster(name);
    }
}
