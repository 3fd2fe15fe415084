package dev.meridian.proxy.upstream;

import dev.meridian.proxy.http1.IndexedHeaders;
import dev.meridian.proxy.http1.LoopPool;
import dev.meridian.proxy.http1.PooledMessage;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ResourceLeakDetector;
import java.util.Objects;

/**
 * A response head as {@link ResponseHead} read it: Netty's response type, its headers the endpoint's bytes indexed
 * ({@link IndexedHeaders}). Pooled ({@link PooledMessage}): the head is copied into the object's own arrays, kept
 * with it, and the object goes back to its loop's pool when the client's encoder has written it (or whoever drops
 * it releases it: an interim response, a response a retry replaces, a hedge that lost).
 */
final class ParsedResponse extends PooledMessage implements HttpResponse {
    private static final int FIRST_BYTES = 512;
    private static final int FIRST_FIELDS = 4 * 16;
    /** A response whose head needed more is let go rather than kept: heads that large are rare. */
    private static final int MAX_KEPT_BYTES = 16 * 1024;
    static final LoopPool<ParsedResponse> POOL = new LoopPool<>(ParsedResponse::new);
    private static final ResourceLeakDetector<PooledMessage> LEAKS = leakDetector(ParsedResponse.class);

    /** The head's bytes from its status line on, and four offsets per field into them. */
    private byte[] bytes = new byte[FIRST_BYTES];
    private int[] fields = new int[FIRST_FIELDS];
    private HttpVersion version;
    private HttpResponseStatus status;

    private ParsedResponse() {
        super(LEAKS);
    }

    /**
     * A complete head, {@code head[0, length)} with {@code fieldCount} fields indexed in {@code offsets}, copied in:
     * the response is live, held once, by the caller.
     */
    void ready(HttpVersion version, HttpResponseStatus status, byte[] head, int length, int[] offsets,
               int fieldCount) {
        if (bytes.length < length) {
            bytes = new byte[Math.max(length, 2 * bytes.length)];
        }
        if (fields.length < 4 * fieldCount) {
            fields = new int[Math.max(4 * fieldCount, 2 * fields.length)];
        }
        System.arraycopy(head, 0, bytes, 0, length);
        System.arraycopy(offsets, 0, fields, 0, 4 * fieldCount);
        this.version = version;
        this.status = status;
        headers.reset(bytes, fields, fieldCount);
        live();
    }

    @Override
    protected void recycle() {
        version = null;
        status = null;
        if (bytes.length <= MAX_KEPT_BYTES) {
            POOL.give(this);
        }
    }

    IndexedHeaders indexedHeaders() {
        ensureLive();
        return headers;
    }

    @Override
    public HttpResponseStatus status() {
        ensureLive();
        return status;
    }

    @Override
    @Deprecated
    public HttpResponseStatus getStatus() {
        return status();
    }

    @Override
    public ParsedResponse setStatus(HttpResponseStatus status) {
        ensureLive();
        this.status = Objects.requireNonNull(status, "status");
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
    public ParsedResponse setProtocolVersion(HttpVersion version) {
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
    public ParsedResponse retain() {
        return (ParsedResponse) super.retain();
    }

    @Override
    public ParsedResponse retain(int increment) {
        return (ParsedResponse) super.retain(increment);
    }

    @Override
    public ParsedResponse touch() {
        return this;
    }

    @Override
    public ParsedResponse touch(Object hint) {
        return (ParsedResponse) super.touch(hint);
    }

    @Override
    public String toString() {
        if (refCnt() <= 0) {
            return "ParsedResponse(released)";
        }
        return "ParsedResponse(" + decoderResult() + ")\n" + version + ' ' + status;
    }
}
