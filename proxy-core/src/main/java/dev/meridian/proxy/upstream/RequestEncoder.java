package dev.meridian.proxy.upstream;

import dev.meridian.proxy.http1.IndexedHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes requests to an endpoint: the head as one buffer (the client's header lines copied as the bytes they came
 * in, when the request was read by Meridian's own parser; encoded field by field otherwise), the body as the buffers
 * it arrived in, chunk-framed when the head says {@code Transfer-Encoding: chunked}. Tells the connection's
 * {@link ResponseDecoder} what each response will answer.
 */
final class RequestEncoder extends MessageToMessageEncoder<HttpObject> {
    private static final int CRLF = ('\r' << 8) | '\n';
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n'};

    private final ResponseDecoder decoder;
    private boolean chunked;

    RequestEncoder(ResponseDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) {
        if (msg instanceof HttpRequest request) {
            decoder.requestSent(request.method());
            chunked = HttpUtil.isTransferEncodingChunked(request);
            out.add(head(ctx, request));
        }
        if (msg instanceof HttpContent content) {
            body(ctx, content, out);
        }
        if (out.isEmpty()) {
            out.add(Unpooled.EMPTY_BUFFER);  // an empty piece of a chunked body: nothing to frame
        }
    }

    private static ByteBuf head(ChannelHandlerContext ctx, HttpRequest request) {
        HttpHeaders headers = request.headers();
        String method = request.method().name();
        String target = request.uri();
        int hint = method.length() + target.length() + 13 + 2;
        IndexedHeaders indexed = headers instanceof IndexedHeaders i ? i : null;
        hint += indexed != null ? indexed.writtenSizeHint() : 32 * headers.size();
        ByteBuf buf = ctx.alloc().buffer(hint);
        buf.writeCharSequence(method, StandardCharsets.US_ASCII);
        buf.writeByte(' ');
        buf.writeCharSequence(target, StandardCharsets.ISO_8859_1);
        buf.writeByte(' ');
        buf.writeCharSequence(request.protocolVersion().text(), StandardCharsets.US_ASCII);
        buf.writeShort(CRLF);
        if (indexed != null) {
            indexed.writeTo(buf);
        } else {
            for (Map.Entry<CharSequence, CharSequence> field : (Iterable<Map.Entry<CharSequence, CharSequence>>)
                    headers::iteratorCharSequence) {
                buf.writeCharSequence(field.getKey(), StandardCharsets.ISO_8859_1);
                buf.writeByte(':').writeByte(' ');
                buf.writeCharSequence(field.getValue(), StandardCharsets.ISO_8859_1);
                buf.writeShort(CRLF);
            }
        }
        buf.writeShort(CRLF);
        return buf;
    }

    private void body(ChannelHandlerContext ctx, HttpContent content, List<Object> out) {
        ByteBuf data = content.content();
        boolean last = content instanceof LastHttpContent;
        if (!chunked) {
            if (data.isReadable()) {
                out.add(data.retain());
            }
            return;
        }
        int size = data.readableBytes();
        if (size > 0) {
            ByteBuf line = ctx.alloc().buffer(12);
            ByteBufUtil.writeAscii(line, Integer.toHexString(size));
            line.writeShort(CRLF);
            out.add(line);
            out.add(data.retain());
            out.add(ctx.alloc().buffer(2).writeShort(CRLF));
        }
        if (last) {
            HttpHeaders trailers = ((LastHttpContent) content).trailingHeaders();
            ByteBuf end = ctx.alloc().buffer(5 + 32 * trailers.size());
            end.writeBytes(LAST_CHUNK);
            for (Map.Entry<CharSequence, CharSequence> field : (Iterable<Map.Entry<CharSequence, CharSequence>>)
                    trailers::iteratorCharSequence) {
                end.writeCharSequence(field.getKey(), StandardCharsets.ISO_8859_1);
                end.writeByte(':').writeByte(' ');
                end.writeCharSequence(field.getValue(), StandardCharsets.ISO_8859_1);
                end.writeShort(CRLF);
            }
            end.writeShort(CRLF);
            out.add(end);
        }
    }
}
