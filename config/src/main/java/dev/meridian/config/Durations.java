package dev.meridian.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h}, or parts in that order such as
 * {@code 1m30s}. A bare number is refused, since "timeout: 30" reads as seconds to one person and milliseconds to
 * another.
 */
public final class Durations {
    /** At most nine digits a part keeps every sum far inside {@link Duration}'s range, so no overflow checks. */
    private static final Pattern FORM =
            Pattern.compile("(?:(\\d{1,9})h)?(?:(\\d{1,9})m(?!s))?(?:(\\d{1,9})s)?(?:(\\d{1,9})ms)?");
    private static final Pattern BARE_NUMBER = Pattern.compile("[+-]?\\d+(?:\\.\\d*)?");

    public static final String EXAMPLES = "e.g. 250ms, 2s, 1m, 1h or 1m30s";

    private Durations() {
    }

    /** The duration, or null when the text is not in the accepted form. */
    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text);
        if (text.isEmpty() || !m.matches()) {
            return null;
        }
        return Duration.ofHours(part(m, 1)).plusMinutes(part(m, 2)).plusSeconds(part(m, 3)).plusMillis(part(m, 4));
    }

    /** A number without a unit, the mistake worth its own hint. */
    static boolean isBareNumber(String text) {
        return BARE_NUMBER.matcher(text).matches();
    }

    /** The shortest form {@link #parse} reads back to the same value, to the millisecond: {@code 1h2m3s40ms}. */
    static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        append(sb, d.toHours(), "h");
        append(sb, d.toMinutesPart(), "m");
        append(sb, d.toSecondsPart(), "s");
        append(sb, d.toMillisPart(), "ms");
        return sb.toString();
    }

    private static void append(StringBuilder sb, long value, String unit) {
        if (value != 0) {
            sb.append(value).append(unit);
        }
    }

    private static long part(Matcher m, int group) {
        String digits = m.group(group);
        return digits == null ? 0 : Long.parseLong(digits);
    }
}
