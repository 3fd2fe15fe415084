package dev.meridian.routing;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one place the current {@link RoutingTable} lives. A request reads it once and works on that snapshot, so a
 * reload mid-request is harmless.
 */
public final class RoutingTableRef {
    private final AtomicReference<RoutingTable> current;

    public RoutingTableRef(RoutingTable initial) {
        current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
    }

    public RoutingTable current() {
        return current.get();
    }

    public void publish(RoutingTable next) {
        current.set(Objects.requireNonNull(next, "next"));
    }
}
