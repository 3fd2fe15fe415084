package dev.meridian.proxy.http1;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A request head as {@link RequestHeadParser} read it: Netty's request type, so the rest of the proxy handles it as
 * any other, with its headers kept as the client's bytes and the framing facts the parse found on the way.
 */
public final class ParsedRequest extends DefaultHttpRequest {
    private final int hostLines;
    private final int encodingLines;
    private final boolean chunked;
    private final long contentLength;

    ParsedRequest(HttpVersion version, HttpMethod method, String target, IndexedHeaders headers, int hostLines,
                  int encodingLines, boolean chunked, long contentLength) {
        super(version, method, target, headers);
        this.hostLines = hostLines;
        this.encodingLines = encodingLines;
        this.chunked = chunked;
        this.contentLength = contentLength;
    }

    public int hostLines() {
        return hostLines;
    }

    public int encodingLines() {
        return encodingLines;
    }

    /** The body is framed by Transfer-Encoding (checked to be exactly {@code chunked} before the body is read). */
    public boolean chunked() {
        return chunked;
    }

    /** The declared body length; -1 without Content-Length. */
    public long contentLength() {
        return contentLength;
    }

    public IndexedHeaders indexedHeaders() {
        return (IndexedHeaders) headers();
    }
}
