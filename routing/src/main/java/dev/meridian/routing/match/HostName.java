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

    /** A configured host in the form the tables store: lower case, no port, no trailing dot. */
    static String normalize(String host) {
        return Ascii.lower(host.substring(0, end(host)));
    }
}
