package dev.meridian.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes: a plain number of bytes, or a number with {@code B}, {@code KiB} or {@code MiB}. Decimal units (KB, MB)
 * are refused rather than guessed, since 8KB means 8000 to some readers and 8192 to others.
 */
final class Sizes {
    private static final Pattern FORM = Pattern.compile("(\\d{1,10})(B|KiB|MiB)?");

    static final String EXAMPLES = "a byte count, or a number with B, KiB or MiB, e.g. 512B, 8KiB, 1MiB";

    private Sizes() {
    }

    /** The size in bytes (possibly beyond {@code int}; the caller checks the range), or -1 when unreadable. */
    static long parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2);
        if (unit == null || unit.equals("B")) {
            return n;
        }
        return unit.equals("KiB") ? n << 10 : n << 20;
    }
}
