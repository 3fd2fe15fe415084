package dev.meridian.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writing HTTP/1.1 messages out, for both directions: header fields (the client's or the endpoint's own lines byte
 * for byte when they were read by Meridian's parsers, field by field otherwise) and body pieces, passed on as the
 * buffers they are, chunk-framed when the head says so. Framing is always written here, never copied: a message's
 * body is delimited the way its outgoing head declares.
 */
public final class BodyFraming {
    private static final int CRLF = ('\r' << 8) | '\n';
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n'};

    private BodyFraming() {
    }

    /** Writes every field of {@code headers} as a header line. */
    public static void writeFields(ByteBuf out, HttpHeaders headers) {
        if (headers instanceof IndexedHeaders indexed) {
            indexed.writeTo(out);
            return;
        }
        for (Map.Entry<CharSequence, CharSequence> field : (Iterable<Map.Entry<CharSequence, CharSequence>>)
                headers::iteratorCharSequence) {
            writeAscii(out, field.getKey());
            out.writeByte(':').writeByte(' ');
            writeAscii(out, field.getValue());
            out.writeShort(CRLF);
        }
    }

    /** A guess at the bytes {@link #writeFields} writes, so its buffer is sized once. */
    public static int sizeHint(HttpHeaders headers) {
        return headers instanceof IndexedHeaders indexed ? indexed.writtenSizeHint() : 32 * headers.size();
    }

    public static void crlf(ByteBuf out) {
        out.writeShort(CRLF);
    }

    /**
     * Adds to {@code out} what goes on the wire for one body piece: the piece itself, or the piece in a chunk, and
     * the last chunk with the trailer fields at the end.
     */
    public static void writeBody(ByteBufAllocator alloc, HttpContent content, boolean chunked, List<Object> out) {
        ByteBuf data = content.content();
        if (!chunked) {
            if (data.isReadable()) {
                out.add(data.retain());
            }
            return;
        }
        int size = data.readableBytes();
        if (size > 0) {
            ByteBuf line = alloc.buffer(12);
            ByteBufUtil.writeAscii(line, Integer.toHexString(size));
            line.writeShort(CRLF);
            out.add(line);
            out.add(data.retain());
            out.add(alloc.buffer(2).writeShort(CRLF));
        }
        if (content instanceof LastHttpContent last) {
            HttpHeaders trailers = last.trailingHeaders();
            ByteBuf end = alloc.buffer(5 + sizeHint(trailers));
            end.writeBytes(LAST_CHUNK);
            writeFields(end, trailers);
            end.writeShort(CRLF);
            out.add(end);
        }
    }

    static void writeAscii(ByteBuf out, CharSequence s) {
        if (s instanceof AsciiString a) {
            out.writeBytes(a.array(), a.arrayOffset(), a.length());
        } else {
            out.writeCharSequence(s, StandardCharsets.ISO_8859_1);
        }
    }
}
