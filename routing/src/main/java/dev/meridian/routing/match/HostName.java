package dev.meridian.routing.match;

/**
 * Where the comparable part of a host ends: without the {@code :port} suffix and without a trailing dot. Used for
 * request Host headers (per match, no copy) and for configured hosts (once, at build) so both agree.
 */
final class HostName {
    private HostName() {
    }

    /** The end of the comparable part of {@code host}, which starts at index 0. */
    static int end(CharSequence host) {
        int length = host.length();
        int end = length;
        if (length > 0 && host.charAt(0) == '[') {
            // An IPv6 literal carries colons of its own; only a colon after the closing bracket starts the port.
            for (int i = 1; i < length; i++) {
                if (host.charAt(i) == ']') {
                    end = i + 1;
                    break;
                }
            }
        } else {
            for (int i = 0; i < length; i++) {
                if (host.charAt(i) == ':') {
                    end = i;
                    break;
                }
            }
        }
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        return end;
    }

    /**
     * {@link #end} and the {@link Ascii#forwardHash} of the host up to there, from one pass: the end in the high
     * half, the hash in the low half, so the per-request path allocates nothing.
     */
    static long endAndForwardHash(CharSequence host) {
        int length = host.length();
        if (length > 0 && host.charAt(0) == '[') {
            int end = end(host);
            return pack(end, Ascii.forwardHash(host, 0, end));
        }
        int end = length;
        int hash = 0;
        int hashBeforeLast = 0;
        char last = 0;
        for (int i = 0; i < length; i++) {
            char c = host.charAt(i);
            if (c == ':') {
                end = i;
                break;
            }
            hashBeforeLast = hash;
            hash = Ascii.hashStep(hash, c);
            last = c;
        }
        return last == '.' ? pack(end - 1, hashBeforeLast) : pack(end, hash);
    }

    private static long pack(int end, int hash) {
        return (long) end << 32 | (hash & 0xFFFF_FFFFL);
    }

    /** A configured host in the form the tables store: lower case, no port, no trailing dot. */
    static String normalize(String host) {
        return Ascii.lower(host.substring(0, end(host)));
    }
}
