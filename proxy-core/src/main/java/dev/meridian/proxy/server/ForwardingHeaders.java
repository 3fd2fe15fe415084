package dev.meridian.proxy.server;

import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the forwarding headers of one request say upstream, decided from what the client sent and whether its peer
 * is a trusted source ({@code geo.trusted_sources}), as nginx's realip and Envoy's trusted hops do:
 * <ul>
 *   <li>{@code X-Forwarded-For}: the client's value, then the peer's address; from any peer, since each hop only
 *       adds the address it saw and a backend picks the hop it trusts;</li>
 *   <li>{@code X-Forwarded-Proto}, {@code X-Forwarded-Host}: the client's values from a trusted peer, else
 *       Meridian's own, replacing the client's: a backend believes them outright (redirects, cookies' Secure,
 *       absolute links), so any client could otherwise claim {@code https} or another host;</li>
 *   <li>{@code X-Request-Id}: a trusted peer's, when usable; otherwise a fresh one, so that ids in upstream logs
 *       are not chosen (collided, forged) by clients;</li>
 *   <li>{@code Forwarded} (RFC 7239), when enabled: a trusted peer's list plus this hop's element, else this hop's
 *       element alone; when disabled the client's value passes as it came.</li>
 * </ul>
 *
 * <p>Free of Netty and of state, so the {@code HttpHeaders} path ({@link ProxyHeaders}) and a writer of header bytes
 * share one set of rules. Values kept as the client sent them are handed back as the very same
 * {@code CharSequence}, which lets a caller see that nothing changed; new values are Strings.
 */
public final class ForwardingHeaders {
    /** The headers decided here, in the order they are emitted. */
    public enum Field {
        X_FORWARDED_FOR("x-forwarded-for"),
        X_FORWARDED_PROTO("x-forwarded-proto"),
        X_FORWARDED_HOST("x-forwarded-host"),
        X_REQUEST_ID("x-request-id"),
        FORWARDED("forwarded");

        private static final Field[] ALL = values();
        private final String headerName;

        Field(String headerName) {
            this.headerName = headerName;
        }

        /** The header's name, lower case. */
        public String headerName() {
            return headerName;
        }

        /**
         * The field a header name is, in any case, or null when it is none of them: a writer of header bytes drops
         * the client's lines for which this is non-null.
         */
        public static Field of(CharSequence name) {
            for (Field f : ALL) {
                if (equalsIgnoreAsciiCase(f.headerName, name)) {
                    return f;
                }
            }
            return null;
        }
    }

    /** Receives each header to send; a field it is not given for must not be sent at all. */
    @FunctionalInterface
    public interface Sink {
        void header(Field field, CharSequence value);
    }

    /** Longer ids are not kept: they would bloat every upstream log line and the access log. */
    static final int MAX_REQUEST_ID_LENGTH = 200;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    private ForwardingHeaders() {
    }

    /**
     * Emits, in {@link Field} order, every forwarding header the upstream request carries. The caller drops every
     * copy of those five headers the client sent and sends what {@code sink} is given instead (a client's headers
     * repeated on several lines are passed in joined with {@code ", "}).
     *
     * @param peerTrusted      whether the TCP peer is one of {@code geo.trusted_sources}
     * @param peerIp           the TCP peer's address, IPv6 without brackets
     * @param scheme           the scheme the client spoke to Meridian, {@code "http"}
     * @param host             the request's Host, or null when it had none
     * @param forwardedFor     the client's {@code X-Forwarded-For}, or null
     * @param forwardedProto   the client's {@code X-Forwarded-Proto}, or null
     * @param forwardedHost    the client's {@code X-Forwarded-Host}, or null
     * @param requestId        the client's {@code X-Request-Id}, or null
     * @param forwarded        the client's {@code Forwarded}, or null
     * @param forwardedEnabled whether Meridian writes {@code Forwarded} ({@code server.forwarded_header})
     */
    public static void decide(boolean peerTrusted, String peerIp, String scheme, CharSequence host,
                              CharSequence forwardedFor, CharSequence forwardedProto, CharSequence forwardedHost,
                              CharSequence requestId, CharSequence forwarded, boolean forwardedEnabled, Sink sink) {
        sink.header(Field.X_FORWARDED_FOR, isBlank(forwardedFor) ? peerIp : forwardedFor + ", " + peerIp);
        sink.header(Field.X_FORWARDED_PROTO, peerTrusted && !isBlank(forwardedProto) ? forwardedProto : scheme);
        if (peerTrusted && !isBlank(forwardedHost)) {
            sink.header(Field.X_FORWARDED_HOST, forwardedHost);
        } else if (!isBlank(host)) {
            sink.header(Field.X_FORWARDED_HOST, host);
        }
        sink.header(Field.X_REQUEST_ID, peerTrusted && usableRequestId(requestId) ? requestId : newRequestId());
        if (!forwardedEnabled) {
            if (forwarded != null) {
                sink.header(Field.FORWARDED, forwarded);
            }
        } else {
            String element = forwardedElement(peerIp, scheme, host);
            sink.header(Field.FORWARDED, peerTrusted && !isBlank(forwarded) ? forwarded + ", " + element : element);
        }
    }

    /**
     * This hop's RFC 7239 element: {@code for=192.0.2.1;proto=http;host=example.com}, an IPv6 node quoted and
     * bracketed ({@code for="[2001:db8::1]"}), a host that is not a token (a port's ':') quoted.
     */
    static String forwardedElement(String peerIp, String scheme, CharSequence host) {
        StringBuilder sb = new StringBuilder(32 + (host == null ? 0 : host.length()));
        sb.append("for=");
        if (peerIp.indexOf(':') >= 0) {
            sb.append("\"[");
            appendQuotedText(sb, peerIp);
            sb.append("]\"");
        } else {
            appendValue(sb, peerIp);
        }
        sb.append(";proto=").append(scheme);
        if (!isBlank(host)) {
            sb.append(";host=");
            appendValue(sb, host);
        }
        return sb.toString();
    }

    /** A token as it is, anything else as a quoted-string (RFC 9110 §5.6.4). */
    private static void appendValue(StringBuilder sb, CharSequence value) {
        if (isToken(value)) {
            sb.append(value);
        } else {
            sb.append('"');
            appendQuotedText(sb, value);
            sb.append('"');
        }
    }

    private static void appendQuotedText(StringBuilder sb, CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
    }

    private static boolean isToken(CharSequence value) {
        if (value.length() == 0) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && TCHAR_SYMBOLS.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code lower} is lower case already; only ASCII letters fold, as in header names. */
    private static boolean equalsIgnoreAsciiCase(String lower, CharSequence name) {
        if (lower.length() != name.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean usableRequestId(CharSequence id) {
        return !isBlank(id) && id.length() <= MAX_REQUEST_ID_LENGTH;
    }

    private static boolean isBlank(CharSequence value) {
        if (value == null) {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return true;
    }

    /**
     * 128 random bits as 32 hex digits: unique enough to correlate logs, cheap to make. As ASCII bytes wrapped, not
     * a String: one 32-byte array per request, written to the upstream as it is.
     */
    public static AsciiString newRequestId() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        byte[] out = new byte[32];
        long hi = rnd.nextLong();
        long lo = rnd.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
        }
        return new AsciiString(out, false);
    }
}
