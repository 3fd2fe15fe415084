package dev.meridian.health.failover;

/** Where a failover shift is in its life. */
public enum ShiftState {
    /** Moving through its steps, under guard. */
    RUNNING,
    /** Held at its current percent by an operator, still under guard. */
    PAUSED,
    /** At 100 % after its last hold; the traffic stays moved until the shift is aborted (flipped back). */
    COMPLETED,
    /** Back at 0 % because the target crossed the guard. */
    ROLLED_BACK,
    /** Back at 0 % by an operator's abort. */
    ABORTED;

    /** Whether the shift still holds traffic away from its source: one such shift per cluster at a time. */
    public boolean holdsTraffic() {
        return this == RUNNING || this == PAUSED || this == COMPLETED;
    }

    /** Whether the guard watches: while the shift still moves or may move. */
    public boolean guarded() {
        return this == RUNNING || this == PAUSED;
    }
}
