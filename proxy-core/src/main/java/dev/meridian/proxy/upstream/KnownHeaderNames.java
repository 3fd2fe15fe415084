package dev.meridian.proxy.upstream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;

/**
 * Shared name objects for the header fields most responses carry, so a decoded head allocates no name for them.
 * Matched byte for byte, case included: the name is relayed as the endpoint spelled it, so {@code Content-Type} and
 * {@code content-type} are two entries (Netty's lower-case constant and a title-case one).
 */
final class KnownHeaderNames {
    private static final AsciiString[] LOWER = {
        HttpHeaderNames.ACCEPT_RANGES, HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, HttpHeaderNames.AGE,
        HttpHeaderNames.CACHE_CONTROL, HttpHeaderNames.CONNECTION, HttpHeaderNames.CONTENT_DISPOSITION,
        HttpHeaderNames.CONTENT_ENCODING, HttpHeaderNames.CONTENT_LANGUAGE, HttpHeaderNames.CONTENT_LENGTH,
        HttpHeaderNames.CONTENT_RANGE, HttpHeaderNames.CONTENT_TYPE, HttpHeaderNames.DATE, HttpHeaderNames.ETAG,
        HttpHeaderNames.EXPIRES, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.LAST_MODIFIED, HttpHeaderNames.LOCATION,
        HttpHeaderNames.PRAGMA, HttpHeaderNames.RETRY_AFTER, HttpHeaderNames.SERVER, HttpHeaderNames.SET_COOKIE,
        HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.VARY,
        HttpHeaderNames.VIA, HttpHeaderNames.WWW_AUTHENTICATE, HttpHeaderNames.X_FRAME_OPTIONS,
        AsciiString.cached("link"), AsciiString.cached("strict-transport-security"),
        AsciiString.cached("x-content-type-options"), AsciiString.cached("x-request-id"),
    };
    private static final String[] TITLE = {
        "Accept-Ranges", "Access-Control-Allow-Origin", "Age", "Cache-Control", "Connection", "Content-Disposition",
        "Content-Encoding", "Content-Language", "Content-Length", "Content-Range", "Content-Type", "Date", "ETag",
        "Etag", "Expires", "Keep-Alive", "Last-Modified", "Link", "Location", "Pragma", "Retry-After", "Server",
        "Set-Cookie", "Strict-Transport-Security", "Transfer-Encoding", "Vary", "Via", "WWW-Authenticate",
        "X-Content-Type-Options", "X-Frame-Options", "X-Request-Id", "X-Request-ID",
    };
    private static final int LONGEST = 32;
    /** By length, then in no particular order: a handful of candidates per length. */
    private static final AsciiString[][] BY_LENGTH = new AsciiString[LONGEST + 1][0];

    static {
        for (AsciiString name : LOWER) {
            add(name);
        }
        for (String name : TITLE) {
            add(AsciiString.cached(name));
        }
    }

    private KnownHeaderNames() {
    }

    private static void add(AsciiString name) {
        AsciiString[] old = BY_LENGTH[name.length()];
        AsciiString[] grown = java.util.Arrays.copyOf(old, old.length + 1);
        grown[old.length] = name;
        BY_LENGTH[name.length()] = grown;
    }

    /** The shared name spelled exactly as {@code bytes[start, start + length)}, or null. */
    static AsciiString find(byte[] bytes, int start, int length) {
        if (length > LONGEST) {
            return null;
        }
        for (AsciiString candidate : BY_LENGTH[length]) {
            if (sameBytes(candidate, bytes, start, length)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean sameBytes(AsciiString name, byte[] bytes, int start, int length) {
        byte[] own = name.array();
        int offset = name.arrayOffset();
        for (int i = 0; i < length; i++) {
            if (own[offset + i] != bytes[start + i]) {
                return false;
            }
        }
        return true;
    }
}
