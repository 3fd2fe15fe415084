package dev.meridian.routing;

/**
 * An endpoint's part in a running failover shift, read when its cluster's eligible set is built. A source endpoint
 * hands {@code fraction} of the traffic it would get to the shift's targets; the targets share what the sources hand
 * over in proportion to their own traffic (or, when they had none, to their weights). Endpoints with no shift keep
 * exactly the share they had. Set by the failover controller on the health control thread, which then republishes.
 *
 * @param fraction for a source, 0..1 of its traffic moved away; ignored for a target
 */
public record TrafficShift(Side side, double fraction) {
    /** A target: receives what the sources hand over. */
    public static final TrafficShift TARGET = new TrafficShift(Side.TARGET, 0);

    public enum Side {
        SOURCE,
        TARGET
    }

    public TrafficShift {
        if (side == null) {
            throw new IllegalArgumentException("side: null");
        }
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction: " + fraction + " (expected: 0..1)");
        }
    }

    /** A source moving {@code fraction} of its traffic away. */
    public static TrafficShift source(double fraction) {
        return new TrafficShift(Side.SOURCE, fraction);
    }
}
