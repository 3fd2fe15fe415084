package dev.meridian.health;

/** Time that moves only when a test says so. */
final class FakeClock implements NanoClock {
    private static final long EPOCH_MILLIS = 1_700_000_000_000L;
    private long nanos = 1_000_000_000L;

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long currentTimeMillis() {
        return EPOCH_MILLIS + nanos / 1_000_000;
    }

    void set(long nowNanos) {
        nanos = nowNanos;
    }
}
