package dev.meridian.health;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * The last status transitions, for the admin port, each also logged as a JSON line. Written only by the control
 * thread; read by the admin port. Both are off the event loops, so a plain monitor is the simplest correct choice.
 */
public final class HealthLog {
    public static final int DEFAULT_CAPACITY = 1_024;
    private static final System.Logger LOG = System.getLogger("meridian.health");

    private final HealthEvent[] ring;
    private long written;

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
        }
        LOG.log(event.isTransition() && !event.to().takesTraffic() ? Level.WARNING : Level.INFO, event.toJson());
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
