package dev.meridian.proxy.http1;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCounted;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A request head as {@link RequestHeadParser} read it: Netty's request type, so the rest of the proxy handles it as
 * any other, with its headers kept as the client's bytes and the framing facts the parse found on the way.
 *
 * <p>Pooled: the head is parsed straight into this object's arrays, and the object goes back to its loop's
 * {@link RequestPool} when the last holder releases it (the exchange when it ends; whoever drops it unhandled: the
 * handler's queue, a refusal, a closed connection), so a request costs no allocation. Nothing may read it after that
 * release, which fails loudly as a released buffer's reads do; one never released is reported by Netty's leak
 * detector as a buffer would be (and fails the build's tests). The target becomes a String only when someone asks for
 * {@link #uri()}; {@link #target()} reads it in place. Confined to its connection's event loop, so the count is a
 * plain int.
 */
public final class ParsedRequest implements HttpRequest, ReferenceCounted {
    private static final int FIRST_BYTES = 1024;
    private static final int FIRST_OFFSETS = 4 * 16;
    private static final ResourceLeakDetector<ParsedRequest> LEAKS =
            ResourceLeakDetectorFactory.instance().newResourceLeakDetector(ParsedRequest.class);

    /** The head's bytes from its method on: the parser writes them, the headers read them. */
    byte[] bytes = new byte[FIRST_BYTES];
    /** Four offsets per field, as {@link IndexedHeaders} keeps them. */
    int[] offsets = new int[FIRST_OFFSETS];
    private final IndexedHeaders headers = new IndexedHeaders();
    private final CharSequence targetInPlace = new TargetInPlace();
    private int refCnt;
    /** Tracks this use of the object for the leak detector; null when it does not sample it. */
    private ResourceLeakTracker<ParsedRequest> leak;
    private HttpVersion version;
    private HttpMethod method;
    private int targetStart;
    private int targetEnd;
    /** The target as a String: made on the first {@link #uri()}, or set. */
    private String target;
    private DecoderResult decoderResult = DecoderResult.SUCCESS;
    private int hostLines;
    private int encodingLines;
    private boolean chunked;
    private long contentLength;

    ParsedRequest() {
    }

    /** The parser filled the arrays with a complete head: the request is live, held once, by the caller. */
    void ready(HttpVersion version, HttpMethod method, int targetStart, int targetEnd, int fieldCount,
               ValueMemo memo, int hostLines, int encodingLines, long contentLength) {
        this.version = version;
        this.method = method;
        this.targetStart = targetStart;
        this.targetEnd = targetEnd;
        this.target = null;
        this.decoderResult = DecoderResult.SUCCESS;
        this.hostLines = hostLines;
        this.encodingLines = encodingLines;
        this.chunked = encodingLines > 0;
        this.contentLength = contentLength;
        headers.reset(bytes, offsets, fieldCount, memo);
        refCnt = 1;
        leak = LEAKS.track(this);
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
    public DecoderResult decoderResult() {
        return decoderResult;
    }

    @Override
    @Deprecated
    public DecoderResult getDecoderResult() {
        return decoderResult;
    }

    @Override
    public void setDecoderResult(DecoderResult result) {
        this.decoderResult = Objects.requireNonNull(result, "decoderResult");
    }

    @Override
    public int refCnt() {
        return refCnt;
    }

    @Override
    public ParsedRequest retain() {
        return retain(1);
    }

    @Override
    public ParsedRequest retain(int increment) {
        if (increment <= 0) {
            throw new IllegalArgumentException("increment: " + increment);
        }
        ensureLive();
        refCnt += increment;
        return this;
    }

    @Override
    public ParsedRequest touch() {
        return this;
    }

    @Override
    public ParsedRequest touch(Object hint) {
        if (leak != null) {
            leak.record(hint);
        }
        return this;
    }

    @Override
    public boolean release() {
        return release(1);
    }

    /** The last release hands the object back to the pool: nothing of this request may be read after it. */
    @Override
    public boolean release(int decrement) {
        if (decrement <= 0) {
            throw new IllegalArgumentException("decrement: " + decrement);
        }
        if (decrement > refCnt) {
            throw new IllegalReferenceCountException(refCnt, -decrement);
        }
        refCnt -= decrement;
        if (refCnt > 0) {
            return false;
        }
        if (leak != null) {
            leak.close(this);
            leak = null;
        }
        headers.recycle();
        target = null;
        method = null;
        version = null;
        decoderResult = DecoderResult.SUCCESS;
        RequestPool.give(this);
        return true;
    }

    private void ensureLive() {
        if (refCnt <= 0) {
            throw new IllegalReferenceCountException(0);
        }
    }

    @Override
    public String toString() {
        if (refCnt <= 0) {
            return "ParsedRequest(released)";
        }
        return "ParsedRequest(" + decoderResult + ")\n" + method + ' ' + uri() + ' ' + version;
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
