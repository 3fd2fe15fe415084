package dev.meridian.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes: a plain number of bytes, or a number with {@code B}, {@code KiB}, {@code MiB} or {@code GiB}. Decimal
 * units (KB, MB) are refused rather than guessed, since 8KB means 8000 to some readers and 8192 to others.
 */
final class Sizes {
    private static final Pattern FORM = Pattern.compile("(\\d{1,10})(B|KiB|MiB|GiB)?");
    private static final String PER_SECOND = "/s";

    static final String EXAMPLES = "a byte count, or a number with B, KiB, MiB or GiB, e.g. 512B, 8KiB, 1MiB";
    static final String RATE_EXAMPLES = "bytes per second: a size followed by /s, e.g. 240B/s or 1KiB/s";

    private Sizes() {
    }

    /**
     * The size in bytes (possibly beyond {@code int}; the caller checks the range), or -1 when unreadable. A size
     * too large for a {@code long} reads as {@link Long#MAX_VALUE}, which every range refuses.
     */
    static long parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2);
        int shift = unit == null || unit.equals("B") ? 0 : switch (unit) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            default -> 30;
        };
        return n > Long.MAX_VALUE >> shift ? Long.MAX_VALUE : n << shift;
    }

    /** A rate such as {@code 240B/s} in bytes per second, or -1 when unreadable: the unit is required. */
    static long parseRate(String text) {
        if (!text.endsWith(PER_SECOND)) {
            return -1;
        }
        return parse(text.substring(0, text.length() - PER_SECOND.length()));
    }
}
