package dev.meridian.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's response decoder, held to what a proxy needs: each head passes {@link ResponseHeadCheck} before it is
 * parsed, and the connection's framing is watched across responses. Nothing may arrive that was not asked for: bytes
 * past the end of the response that answers the request ({@link #overran()}), or bytes while no request is out. Those
 * bytes would otherwise be read as the answer to the next request sent on the connection, another client's.
 *
 * <p>Only one request is ever out on an upstream connection (no pipelining), so the decoder needs no queue of
 * methods, unlike Netty's {@code HttpClientCodec}: {@link #requestSent} says what the response answers.
 */
final class ResponseDecoder extends HttpResponseDecoder {
    private static final int MAX_CHUNK = 64 * 1024;

    private final ResponseHeadCheck headCheck;
    private final Runnable unasked;
    /** A request went out and the response that answers it has not ended. */
    private boolean awaiting;
    private boolean headRequest;
    /** The next bytes start a response head (a 1xx interim one included). */
    private boolean inHead = true;
    /** The message being decoded answers the request, as opposed to a 1xx interim response. */
    private boolean finalResponse;
    private boolean answered;
    private boolean overran;
    private boolean broken;

    /** @param unasked called when bytes arrive while no request is out; the connection is no longer usable */
    ResponseDecoder(int maxHeaderBytes, Runnable unasked) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(ResponseHeadCheck.MAX_STATUS_LINE)
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxChunkSize(MAX_CHUNK)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false));
        this.headCheck = new ResponseHeadCheck(maxHeaderBytes);
        this.unasked = unasked;
    }

    int maxHeaderBytes() {
        return headCheck.maxHeaderBytes();
    }

    /** A request head went out: what follows on the connection answers it. */
    void requestSent(HttpMethod method) {
        awaiting = true;
        headRequest = HttpMethod.HEAD.equals(method);
        answered = false;
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
        return !awaiting && !broken;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
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
        if (inHead) {
            ResponseHeadCheck.Result result = headCheck.check(in);
            if (result == ResponseHeadCheck.Result.INCOMPLETE) {
                return;
            }
            if (result == ResponseHeadCheck.Result.INVALID) {
                refuse(in, out, new InvalidResponseException(headCheck.problem(), headCheck.tooLarge()));
                return;
            }
            inHead = false;
        }
        int before = out.size();
        super.decode(ctx, in, out);
        for (int i = before; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof HttpObject && ((HttpObject) o).decoderResult().isFailure()) {
                broken = true;
            }
            if (o instanceof HttpResponse) {
                finalResponse = ((HttpResponse) o).status().code() >= 200;
            }
            if (o instanceof LastHttpContent) {
                inHead = true;
                headCheck.reset();
                if (finalResponse) {
                    awaiting = false;
                }
            }
        }
        if (!awaiting && !broken && in.isReadable()) {
            // Past the end of the answer, in the same read: the response that just ended is whole, the connection
            // is not. Dropped here, before the end of the response reaches anyone who could reuse the connection.
            overran = true;
            broken = true;
            in.skipBytes(in.readableBytes());
        }
    }

    private void refuse(ByteBuf in, List<Object> out, InvalidResponseException why) {
        broken = true;
        in.skipBytes(in.readableBytes());
        HttpResponse refused = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY);
        refused.setDecoderResult(DecoderResult.failure(why));
        out.add(refused);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        if (headRequest && ((HttpResponse) msg).status().code() >= 200) {
            return true;
        }
        return super.isContentAlwaysEmpty(msg);
    }
}
