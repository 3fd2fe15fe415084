package dev.meridian.routing.match;

/**
 * ASCII case folding and the case-insensitive hash shared by host keys (at build) and request hosts (per match).
 * Host names are ASCII on the wire (IDNs travel as punycode), so folding only A-Z keeps both sides consistent without
 * locale rules.
 */
final class Ascii {
    private Ascii() {
    }

    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    static String lower(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            chars[i] = lower(chars[i]);
        }
        return new String(chars);
    }

    /**
     * One step of the hash, fed from the last character towards the first: after feeding {@code s[i]} the value is
     * the hash of the suffix {@code s[i, end)}, so one right-to-left pass yields every wildcard suffix's hash.
     */
    static int hashStep(int hash, char c) {
        return 31 * hash + lower(c);
    }

    static int hash(CharSequence s, int start, int end) {
        int h = 0;
        for (int i = end - 1; i >= start; i--) {
            h = hashStep(h, s.charAt(i));
        }
        return h;
    }

    /** Whether {@code s[start, end)} equals {@code lowerKey}, ignoring ASCII case; {@code lowerKey} is lower case. */
    static boolean equalsLower(String lowerKey, CharSequence s, int start, int end) {
        if (lowerKey.length() != end - start) {
            return false;
        }
        for (int i = start; i < end; i++) {
            if (lowerKey.charAt(i - start) != lower(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
