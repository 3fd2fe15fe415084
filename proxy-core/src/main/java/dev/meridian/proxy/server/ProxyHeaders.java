package dev.meridian.proxy.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Header rewriting at the proxy boundary: hop-by-hop headers go (RFC 9110 §7.6.1), forwarding headers are appended
 * and every request carries an id.
 */
public final class ProxyHeaders {
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.TE,
        HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
    };
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int MAX_REQUEST_ID_LENGTH = 200;

    private ProxyHeaders() {
    }

    /** Removes the hop-by-hop headers, including every header the Connection header names. */
    public static void removeHopByHop(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
            for (String value : connection) {
                int start = 0;
                while (start <= value.length()) {
                    int comma = value.indexOf(',', start);
                    int end = comma < 0 ? value.length() : comma;
                    String token = value.substring(start, end).trim();
                    if (!token.isEmpty() && !isFraming(token)) {
                        headers.remove(token);
                    }
                    start = end + 1;
                }
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    /**
     * Content-Length and Host are end to end whatever Connection says: dropping them on a peer's word would leave a
     * message unframed (its body read until close, or taken for the next message) or unaddressed.
     */
    private static boolean isFraming(String token) {
        return HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(token)
                || HttpHeaderNames.HOST.contentEqualsIgnoreCase(token);
    }

    /**
     * Rewrites a request for the upstream. The caller decides the framing afterwards.
     *
     * @param clientIp       the downstream peer address
     * @param receivedHost   the Host the client sent (may be null)
     * @param receivedVersion "1.1" or "1.0", for Via
     */
    public static void prepareRequest(HttpHeaders headers, String clientIp, String receivedHost,
                                      String receivedVersion) {
        removeHopByHop(headers);
        append(headers, X_FORWARDED_FOR, clientIp);
        append(headers, X_FORWARDED_PROTO, "http");
        if (receivedHost != null) {
            append(headers, X_FORWARDED_HOST, receivedHost);
        }
        append(headers, HttpHeaderNames.VIA, receivedVersion + " meridian");
        String id = headers.get(X_REQUEST_ID);
        if (id == null || id.isEmpty() || id.length() > MAX_REQUEST_ID_LENGTH) {
            headers.set(X_REQUEST_ID, newRequestId());
        }
    }

    /** Rewrites an upstream response for the client. The caller decides the framing afterwards. */
    public static void prepareResponse(HttpMessage response) {
        HttpHeaders headers = response.headers();
        removeHopByHop(headers);
        append(headers, HttpHeaderNames.VIA, "1.1 meridian");
    }

    static void append(HttpHeaders headers, CharSequence name, String value) {
        String existing = headers.get(name);
        if (existing == null || existing.isEmpty()) {
            headers.set(name, value);
        } else {
            headers.set(name, existing + ", " + value);
        }
    }

    /** 128 random bits as 32 hex digits: unique enough to correlate logs, cheap to make. */
    public static String newRequestId() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        char[] out = new char[32];
        long hi = rnd.nextLong();
        long lo = rnd.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }
}
