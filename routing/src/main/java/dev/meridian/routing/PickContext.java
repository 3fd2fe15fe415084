package dev.meridian.routing;

import java.util.random.RandomGenerator;

/**
 * Per-event-loop picking state: round-robin cursors and a random source. One instance per event loop; never shared
 * between threads, so it needs no synchronization.
 */
public final class PickContext {

    public PickContext(RandomGenerator random) {
        throw new UnsupportedOperationException("being written");
    }

    /** The next ticket of cursor {@code slot}: 0, 1, 2, ... Grows its storage when a new table needs more slots. */
    public long nextTicket(int slot) {
        throw new UnsupportedOperationException("being written");
    }

    public RandomGenerator random() {
        throw new UnsupportedOperationException("being written");
    }
}
