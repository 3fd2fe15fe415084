package dev.meridian.health;

/** The health subsystem's only source of time, so tests drive it by hand instead of waiting. */
public interface NanoClock {
    NanoClock SYSTEM = new NanoClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }
    };

    /** Monotonic time for intervals; comparable only with itself. */
    long nanoTime();

    /** Wall-clock time, for event timestamps people read. */
    long currentTimeMillis();
}
