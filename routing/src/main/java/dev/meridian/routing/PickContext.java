package dev.meridian.routing;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Per-event-loop picking state: round-robin cursors and a random source. One instance per event loop; never shared
 * between threads, so it needs no synchronization.
 */
public final class PickContext {
    /** Enough for small configs; a table with more slots grows the array once. */
    private static final int INITIAL_SLOTS = 16;

    private final RandomGenerator random;
    private final LongSupplier clock;
    private long[] cursors = new long[INITIAL_SLOTS];

    public PickContext(RandomGenerator random) {
        this(random, System::nanoTime);
    }

    /** A context whose {@link #nanoTime()} is {@code clock}: tests drive latency picks with a fake clock. */
    public PickContext(RandomGenerator random, LongSupplier clock) {
        this.random = Objects.requireNonNull(random, "random");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The next ticket of cursor {@code slot}: 0, 1, 2, ... Grows its storage when a new table needs more slots. */
    public long nextTicket(int slot) {
        long[] c = cursors;
        if (slot >= c.length) {
            c = grow(slot);
        }
        return c[slot]++;
    }

    private long[] grow(int slot) {
        cursors = Arrays.copyOf(cursors, Math.max(slot + 1, cursors.length * 2));
        return cursors;
    }

    public RandomGenerator random() {
        return random;
    }

    /** Now, on the clock that response times are observed with ({@code System.nanoTime()} unless injected). */
    public long nanoTime() {
        return clock.getAsLong();
    }
}
