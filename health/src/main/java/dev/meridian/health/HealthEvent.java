package dev.meridian.health;

import dev.meridian.routing.EndpointStatus;

/**
 * One status transition of one endpoint.
 *
 * @param timeMillis     wall-clock time the new status was published
 * @param endpoint       the endpoint's id
 * @param cluster        its cluster's name
 * @param cause          why, in words, with the figures that decided it
 * @param detectionNanos for an ejection, from the first failure seen to the ejection published; otherwise -1
 */
public record HealthEvent(long timeMillis, String endpoint, String cluster, EndpointStatus from, EndpointStatus to,
                          String cause, long detectionNanos) {

    /** One line of JSON, for the log. */
    public String toJson() {
        StringBuilder b = new StringBuilder(160);
        b.append("{\"time\":").append(timeMillis);
        field(b, "endpoint", endpoint);
        field(b, "cluster", cluster);
        field(b, "from", from.name());
        field(b, "to", to.name());
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
