package dev.meridian.routing;

import dev.meridian.config.ScoreWeights;
import dev.meridian.routing.geo.ClientLocation;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Per-event-loop picking state: round-robin cursors, a random source, and the attributes of the request being routed
 * (its hash key, client location, score weights). One instance per event loop; never shared between threads, so it
 * needs no synchronization. The request attributes are reset by {@link #beginRequest()} and set by the proxy before
 * it picks, so a pick reads them without any per-request object.
 */
public final class PickContext {
    /** Enough for small configs; a table with more slots grows the array once. */
    private static final int INITIAL_SLOTS = 16;

    private final RandomGenerator random;
    private final LongSupplier clock;
    private long[] cursors = new long[INITIAL_SLOTS];

    private boolean hasHash;
    private long hash;
    private ClientLocation location;
    private ScoreWeights scoreWeights = ScoreWeights.DEFAULT;

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

    /** Forgets the previous request's attributes; call before setting the next one's. */
    public PickContext beginRequest() {
        hasHash = false;
        hash = 0;
        location = null;
        scoreWeights = ScoreWeights.DEFAULT;
        return this;
    }

    /** The request's consistent-hashing key, already hashed to 64 bits. */
    public PickContext hash(long keyHash) {
        this.hash = keyHash;
        this.hasHash = true;
        return this;
    }

    /** Whether the request carries a hash key; hashing policies pick at random otherwise. */
    public boolean hasHash() {
        return hasHash;
    }

    public long hash() {
        return hash;
    }

    /** Where the client is; null when unknown. */
    public PickContext location(ClientLocation clientLocation) {
        this.location = clientLocation;
        return this;
    }

    public ClientLocation location() {
        return location;
    }

    /** The matched route's weights for the {@code score} policy. */
    public PickContext scoreWeights(ScoreWeights weights) {
        this.scoreWeights = Objects.requireNonNull(weights, "weights");
        return this;
    }

    public ScoreWeights scoreWeights() {
        return scoreWeights;
    }
}
