package dev.meridian.routing.match;

/**
 * ASCII case folding and the case-insensitive hashes shared by host keys (at build) and request hosts (per match).
 * Host names are ASCII on the wire (IDNs travel as punycode), so folding only A-Z keeps both sides consistent without
 * locale rules. Exact hosts hash forwards, so the hash comes out of the same pass that finds the port; wildcard
 * suffixes hash backwards, so one pass yields every suffix's hash.
 */
final class Ascii {
    private Ascii() {
    }

    static char lower(char c) {
        // One unsigned compare instead of two.
        return (char) (c - 'A') < 26 ? (char) (c + ('a' - 'A')) : c;
    }

    static String lower(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            chars[i] = lower(chars[i]);
        }
        return new String(chars);
    }

    /**
     * One step of either hash. Fed from the last character towards the first, after {@code s[i]} the value is the hash
     * of the suffix {@code s[i, end)}.
     */
    static int hashStep(int hash, char c) {
        return 31 * hash + lower(c);
    }

    static int suffixHash(CharSequence s, int start, int end) {
        int h = 0;
        for (int i = end - 1; i >= start; i--) {
            h = hashStep(h, s.charAt(i));
        }
        return h;
    }

    static int forwardHash(CharSequence s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
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
            char k = lowerKey.charAt(i - start);
            char c = s.charAt(i);
            if (k != c && k != lower(c)) {
                return false;
            }
        }
        return true;
    }
}
