package dev.meridian.health;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The last status transitions, for the admin port, each also logged as a JSON line. Written only by the control
 * thread; read by the admin port. Both are off the event loops, so a plain monitor is the simplest correct choice.
 */
public final class HealthLog {
    public static final int DEFAULT_CAPACITY = 1_024;
    private static final System.Logger LOG = System.getLogger("meridian.health");

    private final HealthEvent[] ring;
    private long written;
    private Consumer<HealthEvent> listener = e -> { };

    public HealthLog(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        ring = new HealthEvent[capacity];
    }

    /** Keeps the event, dropping the oldest when full, and logs it. Control thread only. */
    void record(HealthEvent event) {
        synchronized (this) {
            ring[(int) (written % ring.length)] = event;
            written++;
            listener.accept(event);
        }
        LOG.log(event.isTransition() && !event.to().takesTraffic() ? Level.WARNING : Level.INFO, event.toJson());
    }

    /**
     * Hands {@code l} the events kept so far, then every new one as it is recorded, on the control thread (so it
     * must be quick: metrics count them). Under the log's monitor, so no event is missed or seen twice.
     */
    public synchronized void listen(Consumer<HealthEvent> l) {
        snapshot().forEach(l);
        listener = listener.andThen(l);
    }

    /** The events kept, oldest first. */
    public synchronized List<HealthEvent> snapshot() {
        int n = (int) Math.min(written, ring.length);
        List<HealthEvent> out = new ArrayList<>(n);
        for (long i = written - n; i < written; i++) {
            out.add(ring[(int) (i % ring.length)]);
        }
        return out;
    }

    /** Events ever recorded, including those the ring no longer holds. */
    public synchronized long total() {
        return written;
    }
}
