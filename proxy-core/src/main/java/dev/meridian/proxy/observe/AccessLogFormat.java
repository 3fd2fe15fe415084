package dev.meridian.proxy.observe;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** The JSON line of an entry; keys are fixed and always present, absent values are {@code null}. */
final class AccessLogFormat {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private AccessLogFormat() {
    }

    /** Appends the entry's line, newline included. */
    static void append(StringBuilder sb, AccessLogEntry e) {
        sb.append("{\"time\":\"");
        DateTimeFormatter.ISO_INSTANT.formatTo(Instant.ofEpochMilli(e.epochMillis()), sb);
        sb.append('"');
        string(sb, "client", e.client());
        string(sb, "method", e.method());
        string(sb, "host", e.host());
        string(sb, "path", pathOf(e.uri()));
        sb.append(",\"status\":").append(e.status());
        sb.append(",\"bytes_in\":").append(e.bytesIn());
        sb.append(",\"bytes_out\":").append(e.bytesOut());
        sb.append(",\"duration_ms\":");
        millis(sb, e.durationNanos());
        string(sb, "endpoint", e.endpoint());
        string(sb, "region", e.region());
        sb.append(",\"attempts\":").append(e.attempts());
        string(sb, "policy", e.policy());
        string(sb, "reason", e.reason());
        string(sb, "request_id", e.requestId());
        sb.append("}\n");
    }

    /** The path alone: a query string often carries tokens and personal data an access log must not keep. */
    static String pathOf(String uri) {
        if (uri == null) {
            return null;
        }
        int q = uri.indexOf('?');
        int f = uri.indexOf('#');
        int end = q < 0 ? f : f < 0 ? q : Math.min(q, f);
        return end < 0 ? uri : uri.substring(0, end);
    }

    /** Milliseconds with microsecond precision, written without a double's rounding noise. */
    private static void millis(StringBuilder sb, long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        sb.append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            sb.append('0');
        }
        if (frac < 10) {
            sb.append('0');
        }
        sb.append(frac);
    }

    private static void string(StringBuilder sb, String key, String value) {
        sb.append(",\"").append(key).append("\":");
        if (value == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                // Control characters from a client (a path with %0a decoded by someone) must not split the line.
                sb.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                        .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
