package dev.meridian.health;

import dev.meridian.config.ClusterConfig;
import dev.meridian.routing.EndpointState;
import java.util.function.Consumer;

/**
 * Checks once, on demand, whether an ejected endpoint answers again, before its ejection ends. Implemented by the
 * active checks; the result may be delivered on any thread, exactly once.
 */
@FunctionalInterface
public interface Prober {
    /** Trusts every endpoint at once: for clusters with nothing to probe with, and for tests. */
    Prober PASS = (endpoint, cluster, result) -> result.accept(Boolean.TRUE);

    void probe(EndpointState endpoint, ClusterConfig cluster, Consumer<Boolean> result);
}
