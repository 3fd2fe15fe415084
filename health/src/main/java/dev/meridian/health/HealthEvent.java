package dev.meridian.health;

import dev.meridian.routing.EndpointStatus;

/**
 * One status transition of one endpoint, or one step in the life of a failover shift ({@link #failover}).
 *
 * @param timeMillis     wall-clock time the new status was published
 * @param endpoint       the endpoint's id; for a failover event, the shift ("failover 3")
 * @param from           the status before; null for a failover event
 * @param to             the status after; null for a failover event
 * @param cluster        its cluster's name
 * @param cause          why, in words, with the figures that decided it
 * @param detectionNanos for an ejection, from the first failure seen to the ejection published; otherwise -1
 */
public record HealthEvent(long timeMillis, String endpoint, String cluster, EndpointStatus from, EndpointStatus to,
                          String cause, long detectionNanos) {

    /** A failover shift started, completed, was rolled back by its guard or aborted: {@code cause} says which. */
    public static HealthEvent failover(long timeMillis, String shift, String cluster, String cause) {
        return new HealthEvent(timeMillis, shift, cluster, null, null, cause, -1);
    }

    /** Whether this is an endpoint's status transition rather than a failover event. */
    public boolean isTransition() {
        return to != null;
    }

    /** One line of JSON, for the log. */
    public String toJson() {
        StringBuilder b = new StringBuilder(160);
        b.append("{\"time\":").append(timeMillis);
        field(b, "endpoint", endpoint);
        field(b, "cluster", cluster);
        if (isTransition()) {
            field(b, "from", from.name());
            field(b, "to", to.name());
        } else {
            field(b, "kind", "failover");
        }
        field(b, "cause", cause);
        if (detectionNanos >= 0) {
            b.append(",\"detectionMicros\":").append(detectionNanos / 1_000);
        }
        return b.append('}').toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }
}
