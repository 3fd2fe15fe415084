package dev.meridian.routing.balance;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * A cluster's one atomic holder of its {@link EligibleSet}. Pickers do a single volatile read; writers (reload now,
 * health and admin later) race with compare-and-set on a pure function, so no lock is ever taken on an event loop.
 */
public final class ClusterSlot {
    private final AtomicReference<EligibleSet> current;

    /** A slot publishing {@code initial} until the first republish. */
    public ClusterSlot(EligibleSet initial) {
        current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
    }

    /** The set to pick from now: the only thing the hot path reads. */
    public EligibleSet snapshot() {
        return current.get();
    }

    /**
     * Replaces the set with {@code recompute(current)}. The function may run more than once when writers race, so it
     * must be pure. A result with the same members is not published, sparing readers a cache miss.
     *
     * @return the set current after the call
     */
    public EligibleSet republish(UnaryOperator<EligibleSet> recompute) {
        while (true) {
            EligibleSet prev = current.get();
            EligibleSet next = Objects.requireNonNull(recompute.apply(prev), "recomputed set");
            if (next.sameMembersAs(prev)) {
                return prev;
            }
            if (current.compareAndSet(prev, next)) {
                return next;
            }
        }
    }
}
