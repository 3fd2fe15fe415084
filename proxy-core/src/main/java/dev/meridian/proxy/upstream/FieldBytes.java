package dev.meridian.proxy.upstream;

import java.nio.charset.StandardCharsets;

/** What the bytes of an HTTP/1.1 head may be, as lookup tables, and the small readings of them the scans share. */
final class FieldBytes {
    /** tchar of RFC 9110 §5.6.2, by unsigned byte. */
    static final boolean[] TOKEN = new boolean[256];
    /** field-vchar, SP and HTAB of RFC 9110 §5.5, by unsigned byte. */
    static final boolean[] FIELD_VALUE = new boolean[256];
    private static final int MAX_QUOTED = 40;

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
        // obs-text (0x80-0xFF) is allowed, as the RFC allows it: real reason phrases and values carry Latin-1.
        FIELD_VALUE['\t'] = true;
        for (int b = 0x20; b < 0x100; b++) {
            FIELD_VALUE[b] = b != 0x7f;
        }
    }

    private FieldBytes() {
    }

    static int indexOfLf(byte[] a, int from, int end) {
        for (int i = from; i < end; i++) {
            if (a[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    static boolean startsWith(byte[] a, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (a[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Compares a header name in place, ignoring ASCII case: no string per header line. */
    static boolean nameIs(byte[] a, int start, int length, String lowerCase) {
        if (length != lowerCase.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            byte b = a[start + i];
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** 1 to 18 digits (the OWS already trimmed): a Content-Length, read in place; -1 when it is not one. */
    static long decimal(byte[] a, int start, int end) {
        if (end == start || end - start > 18) {
            return -1;
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            if (!isDigit(a[i])) {
                return -1;
            }
            value = value * 10 + (a[i] - '0');
        }
        return value;
    }

    /** field-vchar, SP, HTAB or obs-text: what a field value, a reason phrase or a chunk extension may hold. */
    static boolean fieldValueByte(byte b) {
        return FIELD_VALUE[b & 0xff];
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    /** A piece of the offending bytes for the reason line: printable ASCII only, and short. */
    static String quote(byte[] a, int start, int end) {
        StringBuilder sb = new StringBuilder();
        for (int i = start; i < end && sb.length() < MAX_QUOTED; i++) {
            byte b = a[i];
            sb.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
        }
        return end - start > MAX_QUOTED ? sb + "..." : sb.toString();
    }

    static String truncate(byte[] a, int start, int end) {
        return truncate(new String(a, start, end - start, StandardCharsets.ISO_8859_1));
    }

    static String truncate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > MAX_QUOTED ? printable.substring(0, MAX_QUOTED) + "..." : printable;
    }
}
