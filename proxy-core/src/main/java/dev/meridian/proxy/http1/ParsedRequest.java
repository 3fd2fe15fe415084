package dev.meridian.proxy.http1;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A request head as {@link RequestHeadParser} read it: Netty's request type, so the rest of the proxy handles it as
 * any other, with its headers kept as the client's bytes and the framing facts the parse found on the way.
 *
 * <p>Pooled ({@link PooledMessage}): the head is parsed straight into this object's arrays, and the object goes back
 * to its loop's pool when the last holder releases it (the exchange when it ends; whoever drops it unhandled: the
 * handler's queue, a refusal, a closed connection), so a request costs no allocation. The target becomes a String
 * only when someone asks for {@link #uri()}; {@link #target()} reads it in place.
 */
public final class ParsedRequest extends PooledMessage implements HttpRequest {
    private static final int FIRST_BYTES = 1024;
    private static final int FIRST_OFFSETS = 4 * 16;
    /** A request whose head needed more is let go rather than kept: heads that large are rare. */
    private static final int MAX_KEPT_BYTES = 16 * 1024;
    static final LoopPool<ParsedRequest> POOL = new LoopPool<>(ParsedRequest::new);
    private static final ResourceLeakDetector<PooledMessage> LEAKS = leakDetector(ParsedRequest.class);

    /** The head's bytes from its method on: the parser writes them, the headers read them. */
    byte[] bytes = new byte[FIRST_BYTES];
    /** Four offsets per field, as {@link IndexedHeaders} keeps them. */
    int[] offsets = new int[FIRST_OFFSETS];
    private final CharSequence targetInPlace = new TargetInPlace();
    private HttpVersion version;
    private HttpMethod method;
    private int targetStart;
    private int targetEnd;
    /** The target as a String: made on the first {@link #uri()}, or set. */
    private String target;
    private int hostLines;
    private int encodingLines;
    private boolean chunked;
    private long contentLength;

    private ParsedRequest() {
        super(LEAKS);
    }

    /** The parser filled the arrays with a complete head: the request is live, held once, by the caller. */
    void ready(HttpVersion version, HttpMethod method, int targetStart, int targetEnd, int fieldCount,
               ValueMemo memo, int hostLines, int encodingLines, long contentLength) {
        this.version = version;
        this.method = method;
        this.targetStart = targetStart;
        this.targetEnd = targetEnd;
        this.target = null;
        this.hostLines = hostLines;
        this.encodingLines = encodingLines;
        this.chunked = encodingLines > 0;
        this.contentLength = contentLength;
        headers.reset(bytes, offsets, fieldCount, memo);
        live();
    }

    @Override
    protected void recycle() {
        target = null;
        method = null;
        version = null;
        if (bytes.length <= MAX_KEPT_BYTES) {
            POOL.give(this);
        }
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
        ensureLive();
        return headers;
    }

    /** The request target, read in place from the head (no String made) unless one was set. */
    public CharSequence target() {
        ensureLive();
        return target != null ? target : targetInPlace;
    }

    @Override
    public HttpMethod method() {
        ensureLive();
        return method;
    }

    @Override
    @Deprecated
    public HttpMethod getMethod() {
        return method();
    }

    @Override
    public ParsedRequest setMethod(HttpMethod method) {
        ensureLive();
        this.method = Objects.requireNonNull(method, "method");
        return this;
    }

    @Override
    public String uri() {
        ensureLive();
        if (target == null) {
            target = new String(bytes, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
        }
        return target;
    }

    @Override
    @Deprecated
    public String getUri() {
        return uri();
    }

    @Override
    public ParsedRequest setUri(String uri) {
        ensureLive();
        this.target = Objects.requireNonNull(uri, "uri");
        return this;
    }

    @Override
    public HttpVersion protocolVersion() {
        ensureLive();
        return version;
    }

    @Override
    @Deprecated
    public HttpVersion getProtocolVersion() {
        return protocolVersion();
    }

    @Override
    public ParsedRequest setProtocolVersion(HttpVersion version) {
        ensureLive();
        this.version = Objects.requireNonNull(version, "version");
        return this;
    }

    @Override
    public HttpHeaders headers() {
        ensureLive();
        return headers;
    }

    @Override
    public ParsedRequest retain() {
        return (ParsedRequest) super.retain();
    }

    @Override
    public ParsedRequest retain(int increment) {
        return (ParsedRequest) super.retain(increment);
    }

    @Override
    public ParsedRequest touch() {
        return this;
    }

    @Override
    public ParsedRequest touch(Object hint) {
        return (ParsedRequest) super.touch(hint);
    }

    @Override
    public String toString() {
        if (refCnt() <= 0) {
            return "ParsedRequest(released)";
        }
        return "ParsedRequest(" + decoderResult() + ")\n" + method + ' ' + uri() + ' ' + version;
    }

    /** The target's bytes as characters, without a copy: for the checks that run on every request. */
    private final class TargetInPlace implements CharSequence {
        @Override
        public int length() {
            return targetEnd - targetStart;
        }

        @Override
        public char charAt(int index) {
            if (index < 0 || index >= targetEnd - targetStart) {
                throw new IndexOutOfBoundsException(index);
            }
            return (char) (bytes[targetStart + index] & 0xff);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return uri().substring(start, end);
        }

        @Override
        public String toString() {
            return uri();
        }
    }
}
