package dev.meridian.health;

import dev.meridian.config.ClusterConfig;
import dev.meridian.routing.EndpointState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Holds each probe until the test answers it. */
final class FakeProber implements Prober {
    record Pending(EndpointState endpoint, Consumer<Boolean> result) {
    }

    final List<Pending> pending = new ArrayList<>();

    @Override
    public void probe(EndpointState endpoint, ClusterConfig cluster, Consumer<Boolean> result) {
        pending.add(new Pending(endpoint, result));
    }

    /** Answers the oldest probe. */
    void answer(boolean passed) {
        pending.remove(0).result().accept(passed);
    }
}
