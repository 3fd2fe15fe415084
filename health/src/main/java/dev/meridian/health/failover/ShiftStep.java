package dev.meridian.health.failover;

/**
 * One change of a shift's percent, as applied.
 *
 * @param percent    of the source's traffic moved to the target after this change
 * @param timeMillis wall-clock time it was published
 * @param sinceStartMillis time since the shift started, on the health clock
 * @param note       why: "step 2 of 5", "rate limit", "rolled back: ..."
 */
public record ShiftStep(double percent, long timeMillis, long sinceStartMillis, String note) {
}
