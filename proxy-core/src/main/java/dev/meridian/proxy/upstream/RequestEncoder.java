package dev.meridian.proxy.upstream;

import dev.meridian.proxy.http1.BodyFraming;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes requests to an endpoint: the head as one buffer (the client's header lines copied as the bytes they came
 * in, when the request was read by Meridian's own parser; encoded field by field otherwise), the body as the buffers
 * it arrived in, chunk-framed when the head says {@code Transfer-Encoding: chunked}. Tells the connection's
 * {@link ResponseDecoder} what each response will answer.
 */
final class RequestEncoder extends MessageToMessageEncoder<HttpObject> {
    private final ResponseDecoder decoder;
    private boolean chunked;

    RequestEncoder(ResponseDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) {
        if (msg instanceof HttpRequest request) {
            // The exchange owns its request and may send it again (a retry, a hedge): the write only reads it, so
            // the release that follows encoding is balanced here.
            ReferenceCountUtil.retain(request);
            decoder.requestSent(request.method(), request.headers().contains(HttpHeaderNames.UPGRADE));
            chunked = HttpUtil.isTransferEncodingChunked(request);
            out.add(head(ctx, request));
        }
        if (msg instanceof HttpContent content) {
            BodyFraming.writeBody(ctx.alloc(), content, chunked, out);
        }
        if (out.isEmpty()) {
            out.add(Unpooled.EMPTY_BUFFER);  // an empty piece of a chunked body: nothing to frame
        }
    }

    private static ByteBuf head(ChannelHandlerContext ctx, HttpRequest request) {
        HttpHeaders headers = request.headers();
        String method = request.method().name();
        String target = request.uri();
        ByteBuf buf = ctx.alloc().buffer(method.length() + target.length() + 15 + BodyFraming.sizeHint(headers));
        buf.writeCharSequence(method, StandardCharsets.US_ASCII);
        buf.writeByte(' ');
        buf.writeCharSequence(target, StandardCharsets.ISO_8859_1);
        buf.writeByte(' ');
        buf.writeCharSequence(request.protocolVersion().text(), StandardCharsets.US_ASCII);
        BodyFraming.crlf(buf);
        BodyFraming.writeFields(buf, headers);
        BodyFraming.crlf(buf);
        return buf;
    }
}
