package dev.meridian.config;

/**
 * Syntax checks for addresses and host names. Purely textual: nothing here resolves a name, because
 * {@code InetAddress.getByName} falls back to DNS on anything it does not read as a literal, and config validation
 * must never block on the network.
 */
final class Addresses {
    private static final int MAX_HOST_NAME = 253;
    private static final int MAX_LABEL = 63;

    private Addresses() {
    }

    /** An endpoint address split into host (IPv6 without brackets) and port; the port may be out of range. */
    record HostPort(String host, int port) {
    }

    /** What a listener or the admin port may bind: an IP literal or {@code localhost}. */
    static boolean isBindAddress(String s) {
        return s.equals("localhost") || isIpv4(s) || isIpv6(s);
    }

    /**
     * Splits {@code host:port} or {@code [ipv6]:port}; null when the text has no such shape or the host is neither an
     * IP literal nor a valid DNS name.
     */
    static HostPort parseHostPort(String s) {
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf("]:");
            if (close < 0) {
                return null;
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
            if (!isIpv6(host)) {
                return null;
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                return null;
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (!isHostName(host)) {
                return null;
            }
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Addresses::isDigit)) {
            return null;
        }
        return new HostPort(host, Integer.parseInt(port));
    }

    /**
     * A route's host pattern: an exact host name or {@code *.} and a suffix, without a port. The caller lower-cases
     * it first, which is also how it is stored.
     */
    static boolean isHostPattern(String s) {
        return isHostName(s.startsWith("*.") ? s.substring(2) : s);
    }

    /** RFC 1123 host name, or a dotted IPv4 literal; a name ending in a numeric label must be a valid IPv4. */
    static boolean isHostName(String s) {
        if (s.isEmpty() || s.length() > MAX_HOST_NAME) {
            return false;
        }
        String[] labels = s.split("\\.", -1);
        for (String label : labels) {
            if (!isLabel(label)) {
                return false;
            }
        }
        // No top-level domain is all digits, so "10.0.0.300" or "1.2.3" is a mistyped IP, not a name.
        return !labels[labels.length - 1].chars().allMatch(Addresses::isDigit) || isIpv4(s);
    }

    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            // Leading zeros are refused: some resolvers read "010" as octal 8.
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Addresses::isDigit)
                    || p.length() > 1 && p.charAt(0) == '0' || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** RFC 4291 text form: eight groups, at most one {@code ::}, an optional trailing IPv4; no zone id. */
    static boolean isIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap < 0) {
            return groups(s, true) == 8;
        }
        if (s.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        int head = groups(s.substring(0, gap), false);
        int tail = groups(s.substring(gap + 2), true);
        return head >= 0 && tail >= 0 && head + tail <= 7;
    }

    /** The number of 16-bit groups in a colon-separated run (an IPv4 tail counts two), or -1 if malformed. */
    private static int groups(String run, boolean ipv4TailAllowed) {
        if (run.isEmpty()) {
            return 0;
        }
        String[] parts = run.split(":", -1);
        int count = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == parts.length - 1 && ipv4TailAllowed && p.indexOf('.') >= 0) {
                if (!isIpv4(p)) {
                    return -1;
                }
                count += 2;
            } else if (p.isEmpty() || p.length() > 4 || !p.chars().allMatch(Addresses::isHexDigit)) {
                return -1;
            } else {
                count++;
            }
        }
        return count;
    }

    private static boolean isLabel(String label) {
        if (label.isEmpty() || label.length() > MAX_LABEL || label.startsWith("-") || label.endsWith("-")) {
            return false;
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (!(isDigit(c) || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(int c) {
        return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
