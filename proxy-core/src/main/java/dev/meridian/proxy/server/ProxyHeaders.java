package dev.meridian.proxy.server;

import dev.meridian.proxy.http1.IndexedHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Iterator;
import java.util.List;

/**
 * Header rewriting at the proxy boundary: hop-by-hop headers go (RFC 9110 §7.6.1), forwarding headers are what
 * {@link ForwardingHeaders} decides (appended to, or replaced unless the peer is trusted) and every request carries
 * an id.
 */
public final class ProxyHeaders {
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    public static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    /** By {@link ForwardingHeaders.Field} ordinal. */
    private static final AsciiString[] FIELD_NAMES = {
        X_FORWARDED_FOR, X_FORWARDED_PROTO, X_FORWARDED_HOST, X_REQUEST_ID, FORWARDED,
    };
    private static final AsciiString VIA_FROM_1_1 = AsciiString.cached("1.1 meridian");
    private static final AsciiString VIA_FROM_1_0 = AsciiString.cached("1.0 meridian");
    private static final FastThreadLocal<Writer> WRITERS = new FastThreadLocal<>() {
        @Override
        protected Writer initialValue() {
            return new Writer();
        }
    };
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.TE,
        HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
    };
    /** What a Connection token cannot remove: see {@link #isFraming}. */
    private static final AsciiString[] END_TO_END = {HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.HOST};

    private ProxyHeaders() {
    }

    /** Removes the hop-by-hop headers, including every header the Connection header names. */
    public static void removeHopByHop(HttpHeaders headers) {
        if (headers instanceof IndexedHeaders indexed && indexed.removeHopByHop(HOP_BY_HOP, END_TO_END)) {
            return;  // one pass over the names as they arrived, no String made
        }
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
     * As {@link #prepareRequest(HttpHeaders, String, boolean, String, String, boolean)} for a peer that is not a
     * trusted source, without {@code Forwarded}.
     */
    public static void prepareRequest(HttpHeaders headers, String clientIp, String receivedHost,
                                      String receivedVersion) {
        prepareRequest(headers, clientIp, false, receivedHost, receivedVersion, false);
    }

    /**
     * Rewrites a request for the upstream: hop-by-hop headers go, the forwarding headers become what
     * {@link ForwardingHeaders} decides, Via is appended to. The caller decides the framing afterwards.
     *
     * @param clientIp         the downstream peer address
     * @param peerTrusted      whether that peer is one of {@code geo.trusted_sources}
     * @param receivedHost     the Host the client sent (may be null)
     * @param receivedVersion  "1.1" or "1.0", for Via
     * @param forwardedHeader  whether to write RFC 7239 {@code Forwarded} ({@code server.forwarded_header})
     */
    public static void prepareRequest(HttpHeaders headers, String clientIp, boolean peerTrusted, String receivedHost,
                                      String receivedVersion, boolean forwardedHeader) {
        removeHopByHop(headers);
        Writer writer = WRITERS.get().to(headers);
        ForwardingHeaders.decide(peerTrusted, clientIp, "http", receivedHost, joined(headers, X_FORWARDED_FOR),
                joined(headers, X_FORWARDED_PROTO), joined(headers, X_FORWARDED_HOST), joined(headers, X_REQUEST_ID),
                joined(headers, FORWARDED), forwardedHeader, writer);
        writer.removeUnsent();
        append(headers, HttpHeaderNames.VIA, "1.0".equals(receivedVersion) ? VIA_FROM_1_0 : VIA_FROM_1_1);
    }

    /** A header's lines as one list value (RFC 9110 §5.3), or null when absent; no copy for the usual one line. */
    private static String joined(HttpHeaders headers, AsciiString name) {
        if (!headers.contains(name)) {
            return null;  // the usual case for every forwarding header, told without an iterator
        }
        Iterator<String> values = headers.valueStringIterator(name);
        if (!values.hasNext()) {
            return null;
        }
        String only = values.next();
        if (!values.hasNext()) {
            return only;
        }
        // The iterator may run newest line first; getAll keeps the lines' order, which a list's meaning needs.
        return String.join(", ", headers.getAll(name));
    }

    /** Sets what the policy sends; a forwarding header it does not send must not reach the upstream at all. */
    private static final class Writer implements ForwardingHeaders.Sink {
        private HttpHeaders headers;
        private int sent;

        /** Reused by each request on the thread in turn: one fewer object per request. */
        Writer to(HttpHeaders target) {
            headers = target;
            sent = 0;
            return this;
        }

        @Override
        public void header(ForwardingHeaders.Field field, CharSequence value) {
            headers.set(FIELD_NAMES[field.ordinal()], value);
            sent |= 1 << field.ordinal();
        }

        void removeUnsent() {
            for (int i = 0; i < FIELD_NAMES.length; i++) {
                if ((sent & (1 << i)) == 0) {
                    headers.remove(FIELD_NAMES[i]);
                }
            }
            headers = null;
        }
    }

    /** Rewrites an upstream response for the client. The caller decides the framing afterwards. */
    public static void prepareResponse(HttpMessage response) {
        HttpHeaders headers = response.headers();
        removeHopByHop(headers);
        append(headers, HttpHeaderNames.VIA, VIA_FROM_1_1);
    }

    static void append(HttpHeaders headers, CharSequence name, CharSequence value) {
        String existing = headers.get(name);
        if (existing == null || existing.isEmpty()) {
            headers.set(name, value);
        } else {
            headers.set(name, existing + ", " + value);
        }
    }

}
