package dev.meridian.proxy.http1;

import io.netty.util.AsciiString;

/**
 * Whether a comma-separated field value lists an element, its elements trimmed of whitespace, as Netty's headers
 * answer {@code containsValue}: over a client's or an endpoint's bytes in place, or over a value set as text.
 */
final class CommaLists {
    private CommaLists() {
    }

    /** Whether {@code bytes[start, end)} lists {@code value}. */
    static boolean has(byte[] bytes, int start, int end, CharSequence value, boolean ignoreCase) {
        int p = start;
        while (p <= end) {
            int comma = p;
            while (comma < end && bytes[comma] != ',') {
                comma++;
            }
            int a = p;
            int b = comma;
            while (a < b && (bytes[a] & 0xff) <= ' ') {
                a++;
            }
            while (b > a && (bytes[b - 1] & 0xff) <= ' ') {
                b--;
            }
            if (b - a == value.length() && same(bytes, a, value, ignoreCase)) {
                return true;
            }
            p = comma + 1;
        }
        return false;
    }

    /** Whether {@code list} lists {@code value}. */
    static boolean has(CharSequence list, CharSequence value, boolean ignoreCase) {
        String all = list.toString();
        int start = 0;
        while (start <= all.length()) {
            int comma = all.indexOf(',', start);
            int end = comma < 0 ? all.length() : comma;
            String token = all.substring(start, end).trim();
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(token, value)
                    : AsciiString.contentEquals(token, value)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    private static boolean same(byte[] bytes, int start, CharSequence value, boolean ignoreCase) {
        for (int k = 0; k < value.length(); k++) {
            int a = bytes[start + k] & 0xff;
            int b = value.charAt(k);
            if (a != b && (!ignoreCase || lower(a) != lower(b))) {
                return false;
            }
        }
        return true;
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }
}
