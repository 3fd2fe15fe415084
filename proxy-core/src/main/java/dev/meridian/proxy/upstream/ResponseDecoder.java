package dev.meridian.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * The upstream side's HTTP/1.1 response decoder, held to what a proxy needs: each head is validated while it is
 * parsed, in one pass ({@link ResponseHead}), and the connection's framing is watched across responses. Nothing may
 * arrive that was not asked for: bytes past the end of the response that answers the request ({@link #overran()}),
 * or bytes while no request is out. Those bytes would otherwise be read as the answer to the next request sent on
 * the connection, another client's.
 *
 * <p>It emits what Netty's {@code HttpResponseDecoder} does: an {@link HttpResponse}, then {@code HttpContent}s
 * ending in a {@link LastHttpContent}, body bytes as retained slices of the bytes received (never copied); a refused
 * head becomes one response whose decoder result is the {@link InvalidResponseException}, a broken body a
 * {@code LastHttpContent} carrying it, and nothing is decoded after either. A {@code LastHttpContent} ending a body
 * carries immutable empty trailers, as {@link LastHttpContent#EMPTY_LAST_CONTENT} does, unless trailers came.
 *
 * <p>Only one request is ever out on an upstream connection (no pipelining), so the decoder needs no queue of
 * methods, unlike Netty's {@code HttpClientCodec}: {@link #requestSent} says what the response answers.
 */
final class ResponseDecoder extends ByteToMessageDecoder {
    /** The most body bytes in one content message, as with Netty's decoder. */
    private static final int MAX_CHUNK = 64 * 1024;
    /** The longest chunk size line, extensions included: far beyond any real one. */
    static final int MAX_CHUNK_LINE = 8 * 1024;

    private enum State { HEAD, FIXED_LENGTH, UNTIL_CLOSE, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS }

    private final ResponseHead head;
    private final ChunkSizeLine chunkLine = new ChunkSizeLine();
    private final Runnable unasked;
    private State state = State.HEAD;
    /** Body bytes still to come: of the fixed-length body, or of the current chunk. */
    private long remaining;
    /** A request went out and the response that answers it has not ended. */
    private boolean awaiting;
    private boolean headRequest;
    private boolean switched;
    /** A 2xx to CONNECT makes the connection a tunnel (RFC 9110 §9.3.6), as a 101 does after an upgrade. */
    private boolean connectRequest;
    /** The message being decoded answers the request, as opposed to a 1xx interim response. */
    private boolean finalResponse;
    private boolean answered;
    private boolean overran;
    private boolean broken;

    /** @param unasked called when bytes arrive while no request is out; the connection is no longer usable */
    ResponseDecoder(int maxHeaderBytes, Runnable unasked) {
        this.head = new ResponseHead(maxHeaderBytes);
        this.unasked = unasked;
    }

    int maxHeaderBytes() {
        return head.maxHeaderBytes();
    }

    /** A request head went out: what follows on the connection answers it. */
    void requestSent(HttpMethod method) {
        requestSent(method, false);
    }

    /**
     * A request head went out; {@code upgrade}: it asked to switch protocols, so a 101 may answer it, after which
     * the connection's bytes are no longer HTTP and are left unread for whoever takes the connection over.
     */
    void requestSent(HttpMethod method, boolean upgrade) {
        awaiting = true;
        headRequest = HttpMethod.HEAD.equals(method);
        connectRequest = HttpMethod.CONNECT.equals(method);
        answered = false;
        head.switchAsked(upgrade);
    }

    /** A 101 (or a 2xx to CONNECT) came: the connection's bytes are the tunnel's, never decoded here. */
    boolean switched() {
        return switched;
    }

    /** Some byte of a response arrived since the last request went out. */
    boolean answered() {
        return answered;
    }

    /** Bytes came past the end of the response, or while no request was out. */
    boolean overran() {
        return overran;
    }

    /** Whether another request may go out on the connection: the last response ended cleanly, and nothing more came. */
    boolean clean() {
        return !awaiting && !broken && !switched;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (switched) {
            return;  // left in the buffer: removing this decoder hands them to the tunnel
        }
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (!awaiting) {
            overran = true;
            broken = true;
            in.skipBytes(in.readableBytes());
            unasked.run();
            return;
        }
        answered = true;
        while (in.isReadable() && awaiting && !switched && step(in, out)) {
            // Interim responses and the final one may share a read: all are decoded now.
        }
        if (!awaiting && !broken && in.isReadable()) {
            // Past the end of the answer, in the same read: the response that just ended is whole, the connection
            // is not. Dropped here, before the end of the response reaches anyone who could reuse the connection.
            overran = true;
            broken = true;
            in.skipBytes(in.readableBytes());
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (!broken && awaiting && state == State.UNTIL_CLOSE) {
            end(out, LastHttpContent.EMPTY_LAST_CONTENT);  // the close is the end of a body without a length
        }
    }

    /** Decodes what the state allows; false when it needs more bytes or the connection broke. */
    private boolean step(ByteBuf in, List<Object> out) {
        switch (state) {
            case HEAD:
                return head(in, out);
            case FIXED_LENGTH: {
                ByteBuf content = in.readRetainedSlice(take(in, remaining));
                remaining -= content.readableBytes();
                if (remaining == 0) {
                    end(out, new DefaultLastHttpContent(content, EmptyHttpHeaders.INSTANCE));
                } else {
                    out.add(new DefaultHttpContent(content));
                }
                return true;
            }
            case UNTIL_CLOSE:
                out.add(new DefaultHttpContent(in.readRetainedSlice(take(in, Long.MAX_VALUE))));
                return true;
            case CHUNK_SIZE:
                return chunkSize(in, out);
            case CHUNK_DATA: {
                ByteBuf content = in.readRetainedSlice(take(in, remaining));
                remaining -= content.readableBytes();
                out.add(new DefaultHttpContent(content));
                if (remaining == 0) {
                    state = State.CHUNK_END;
                }
                return true;
            }
            case CHUNK_END:
                return chunkEnd(in, out);
            case TRAILERS:
                return trailers(in, out);
            default:
                throw new IllegalStateException(state.toString());
        }
    }

    private static int take(ByteBuf in, long remaining) {
        return (int) Math.min(Math.min(in.readableBytes(), MAX_CHUNK), remaining);
    }

    private boolean head(ByteBuf in, List<Object> out) {
        ResponseHead.Result result = head.scan(in);
        if (result == ResponseHead.Result.INCOMPLETE) {
            return false;
        }
        if (result == ResponseHead.Result.INVALID) {
            refuse(in, out, new InvalidResponseException(head.problem(), head.tooLarge()));
            return false;
        }
        int code = head.status();
        if (code == 101 || connectRequest && code >= 200 && code < 300) {
            switched = true;
            out.add(head.response(true));
            in.skipBytes(head.length());
            head.reset(false);
            return false;
        }
        finalResponse = code >= 200;
        boolean bodyless = !finalResponse || code == 204 || code == 304 || headRequest;
        out.add(head.response(bodyless));
        in.skipBytes(head.length());
        long length = head.contentLength();
        if (bodyless || !head.chunked() && length == 0) {
            end(out, LastHttpContent.EMPTY_LAST_CONTENT);
        } else if (head.chunked()) {
            chunkLine.reset();
            state = State.CHUNK_SIZE;
        } else if (length > 0) {
            remaining = length;
            state = State.FIXED_LENGTH;
        } else {
            state = State.UNTIL_CLOSE;
        }
        head.reset(false);
        return true;
    }

    private boolean chunkSize(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int from = start + chunkLine.seen();
        int limit = Math.min(in.writerIndex(), start + MAX_CHUNK_LINE + 2);
        int stop = from < limit ? in.forEachByte(from, limit - from, chunkLine) : -1;
        if (stop < 0) {
            if (limit - start >= MAX_CHUNK_LINE + 2) {
                failBody(in, out, "chunk size line longer than " + MAX_CHUNK_LINE + " bytes", false);
            }
            return false;
        }
        if (!chunkLine.done()) {
            byte[] line = ByteBufUtil.getBytes(in, start, Math.min(stop + 1 - start, 64));
            failBody(in, out, "invalid chunk size line '" + FieldBytes.quote(line, 0, line.length) + "': "
                    + chunkLine.problem(), false);
            return false;
        }
        in.readerIndex(stop + 1);
        remaining = chunkLine.size();
        chunkLine.reset();
        if (remaining > 0) {
            state = State.CHUNK_DATA;
        } else {
            head.reset(true);
            state = State.TRAILERS;
        }
        return true;
    }

    private boolean chunkEnd(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        if (in.getByte(start) != '\r' || in.readableBytes() > 1 && in.getByte(start + 1) != '\n') {
            failBody(in, out, "chunk data not followed by CRLF", false);
            return false;
        }
        if (in.readableBytes() < 2) {
            return false;
        }
        in.skipBytes(2);
        chunkLine.reset();
        state = State.CHUNK_SIZE;
        return true;
    }

    private boolean trailers(ByteBuf in, List<Object> out) {
        ResponseHead.Result result = head.scan(in);
        if (result == ResponseHead.Result.INCOMPLETE) {
            return false;
        }
        if (result == ResponseHead.Result.INVALID) {
            failBody(in, out, head.problem(), head.tooLarge());
            return false;
        }
        LastHttpContent last = head.trailers();
        in.skipBytes(head.length());
        head.reset(false);
        end(out, last);
        return true;
    }

    /** The message ends; if it answers the request, so does the exchange. */
    private void end(List<Object> out, LastHttpContent last) {
        out.add(last);
        state = State.HEAD;
        if (finalResponse) {
            awaiting = false;
        }
    }

    private void refuse(ByteBuf in, List<Object> out, InvalidResponseException why) {
        broken = true;
        in.skipBytes(in.readableBytes());
        HttpResponse refused = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY);
        refused.setDecoderResult(DecoderResult.failure(why));
        out.add(refused);
    }

    /** The body broke after its head went on: the end of the message, failed, so that nobody takes it for whole. */
    private void failBody(ByteBuf in, List<Object> out, String problem, boolean tooLarge) {
        broken = true;
        in.skipBytes(in.readableBytes());
        LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        failed.setDecoderResult(DecoderResult.failure(new InvalidResponseException(problem, tooLarge)));
        out.add(failed);
    }
}
