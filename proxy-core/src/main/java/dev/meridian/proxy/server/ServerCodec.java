package dev.meridian.proxy.server;

import dev.meridian.proxy.http1.ParsedRequest;
import dev.meridian.proxy.http1.RequestBodyReader;
import dev.meridian.proxy.http1.RequestHeadParser;
import dev.meridian.proxy.http1.BodyFraming;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The client connection's HTTP/1.1 codec: a decoder that reads each head once, validating as it indexes it
 * ({@link RequestHeadParser}, then {@link RequestFraming}), and refuses the heads a proxy must not pass on. A refused
 * request comes out as an {@link HttpRequest} whose decoder result is a failed {@link FramingViolation}, like
 * Netty's own decoding failures, and nothing after it on the connection is decoded: its framing cannot be trusted.
 *
 * <p>A request that may end HTTP on the connection (a WebSocket handshake, a CONNECT) stops the decoding: what the
 * client sent behind it stays undecoded until its exchange is decided. On a switch the codec is removed and those
 * bytes go to the tunnel first; otherwise {@link #resumeDecoding} reads them as the connection's next request.
 *
 * <p>The two other jobs of Netty's {@code HttpServerCodec} are done here too: the encoder
 * learns which request each response answers (a response to HEAD has no body whatever its headers say; a 2xx to
 * CONNECT has no framing), and a connection may not have more than {@value #MAX_PIPELINED} requests waiting for
 * their responses.
 */
final class ServerCodec extends CombinedChannelDuplexHandler<ServerCodec.StrictRequestDecoder,
        ServerCodec.ResponseEncoder> {
    /** As Netty's {@code HttpServerCodec}: pipelining deeper than this is abuse, not a client's need. */
    static final int MAX_PIPELINED = 128;

    /** Methods of the requests decoded and not answered yet, oldest first. */
    private final ArrayDeque<HttpMethod> unanswered = new ArrayDeque<>(4);

    ServerCodec(int maxRequestLine, int maxHeaderBytes) {
        init(new StrictRequestDecoder(maxRequestLine, maxHeaderBytes), new ResponseEncoder());
    }

    /** Whether bytes that arrived behind a request that may open a tunnel wait, undecoded, for its answer. */
    boolean holdsBytes() {
        return inboundHandler().holdsBytes();
    }

    /**
     * The request that stopped the decoding was answered and HTTP goes on: what waited behind it is decoded now, as
     * the connection's next request. Nothing while the decoding is not stopped.
     */
    void resumeDecoding() {
        inboundHandler().resume();
    }

    /**
     * Whether a request may turn the connection into a tunnel, so that what follows it may not be HTTP: a WebSocket
     * handshake with no body (the only upgrade the proxy relays), or a CONNECT.
     */
    private static boolean mayOpenTunnel(ParsedRequest req) {
        HttpMethod method = req.method();
        if (HttpMethod.CONNECT.equals(method)) {
            return true;
        }
        HttpHeaders headers = req.headers();
        return HttpMethod.GET.equals(method) && req.protocolVersion() == HttpVersion.HTTP_1_1
                && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /**
     * One pass over each head ({@link RequestHeadParser}), then the rules that need the whole head
     * ({@link RequestFraming}), then the body as the buffers it arrived in ({@link RequestBodyReader}).
     */
    final class StrictRequestDecoder extends ByteToMessageDecoder {
        private final RequestHeadParser head;
        private final RequestBodyReader body;
        private boolean readingHead = true;
        /** A request was refused: the rest of the connection's bytes are skipped until it closes. */
        private boolean refused;
        /** Readable bytes at the start of the input that the head parser has been fed already. */
        private int fed;
        /** Decoding stopped behind a request that may open a tunnel, until its exchange is decided. */
        private boolean stopped;
        /** Inside {@link #channelRead}: a decode under way picks up the resumed bytes itself. */
        private boolean reading;
        private ChannelHandlerContext ctx;

        StrictRequestDecoder(int maxRequestLine, int maxHeaderBytes) {
            head = new RequestHeadParser(maxRequestLine, maxHeaderBytes);
            body = new RequestBodyReader(maxHeaderBytes);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            this.ctx = ctx;
            reading = true;
            try {
                super.channelRead(ctx, msg);
            } finally {
                reading = false;
            }
        }

        boolean holdsBytes() {
            return stopped && actualReadableBytes() > 0;
        }

        void resume() {
            if (!stopped) {
                return;
            }
            stopped = false;
            if (!reading && actualReadableBytes() > 0) {
                // Decoded as if just read: an empty read runs the decoder over what it accumulated.
                try {
                    channelRead(ctx, Unpooled.EMPTY_BUFFER);
                    channelReadComplete(ctx);
                } catch (Exception e) {
                    ctx.fireExceptionCaught(e);
                }
            }
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            while (in.isReadable() && !refused && !stopped) {
                if (!readingHead) {
                    body.read(in, out);
                    if (body.failed()) {
                        refuseRest(in);
                        return;
                    }
                    if (!body.ended()) {
                        return;
                    }
                    readingHead = true;
                    continue;
                }
                RequestHeadParser.Result result = head.feed(in, in.readerIndex() + fed, in.writerIndex());
                if (result == RequestHeadParser.Result.INCOMPLETE) {
                    fed = in.readableBytes();
                    return;
                }
                if (result == RequestHeadParser.Result.REFUSED) {
                    // Refused as soon as seen, not when the head ends: a client must not hold a connection open
                    // with a head that can only be refused (a bare CR waits for an LF that never comes).
                    refuse(in, out, new FramingViolation(HttpResponseStatus.valueOf(head.status()),
                            head.reason()));
                    return;
                }
                in.skipBytes(head.consumed());
                fed = 0;
                ParsedRequest req = head.take();
                head.reset();
                FramingViolation violation = RequestFraming.check(req, req.hostLines(), req.encodingLines());
                if (violation == null && unanswered.size() >= MAX_PIPELINED) {
                    violation = FramingViolation.badRequest("more than " + MAX_PIPELINED
                            + " pipelined requests waiting for their responses");
                }
                unanswered.add(req.method());
                if (violation != null) {
                    req.setDecoderResult(DecoderResult.failure(violation));
                    out.add(req);
                    refuseRest(in);
                    return;
                }
                out.add(req);
                if (body.start(req)) {
                    readingHead = false;
                } else {
                    out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                    stopped = mayOpenTunnel(req);
                }
            }
        }

        private void refuse(ByteBuf in, List<Object> out, FramingViolation why) {
            HttpRequest refusal = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
            refusal.setDecoderResult(DecoderResult.failure(why));
            unanswered.add(refusal.method());
            out.add(refusal);
            refuseRest(in);
        }

        private void refuseRest(ByteBuf in) {
            refused = true;
            in.skipBytes(in.readableBytes());
        }
    }

    /**
     * Writes responses to the client: the head as one buffer, the body as the buffers it came in, chunk-framed when
     * the head says so, and nothing of a body a response may not have (to HEAD, 1xx, 204, 205, 304), as Netty's
     * {@code HttpResponseEncoder} does. Each final response answers the oldest unanswered request.
     */
    final class ResponseEncoder extends MessageToMessageEncoder<HttpObject> {
        private static final byte[] HTTP_1_1 = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
        private boolean chunked;
        private boolean bodyless;

        @Override
        protected void encode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) {
            if (msg instanceof HttpResponse response) {
                head(ctx, response, out);
            }
            if (msg instanceof HttpContent content && !bodyless) {
                BodyFraming.writeBody(ctx.alloc(), content, chunked, out);
            }
            if (out.isEmpty()) {
                out.add(Unpooled.EMPTY_BUFFER);  // nothing of this piece goes on the wire
            }
        }

        private void head(ChannelHandlerContext ctx, HttpResponse response, List<Object> out) {
            HttpResponseStatus status = response.status();
            HttpHeaders headers = response.headers();
            int code = status.code();
            HttpMethod method = null;
            if (status.codeClass() == HttpStatusClass.INFORMATIONAL) {
                // 100 Continue answers no request yet; a 101 ends HTTP on the connection
                bodyless = code != 101 || !headers.contains(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
            } else {
                method = unanswered.poll();
                bodyless = HttpMethod.HEAD.equals(method) || code == 204 || code == 205 || code == 304;
            }
            if (!bodyless && HttpMethod.CONNECT.equals(method) && status.codeClass() == HttpStatusClass.SUCCESS) {
                headers.remove(HttpHeaderNames.TRANSFER_ENCODING);  // a tunnel has no framing
            } else if (bodyless && (status.codeClass() == HttpStatusClass.INFORMATIONAL || code == 204)) {
                headers.remove(HttpHeaderNames.CONTENT_LENGTH);
                headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            } else if (bodyless && code == 205) {
                headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
                headers.set(HttpHeaderNames.CONTENT_LENGTH, "0");
            }
            chunked = !bodyless && HttpUtil.isTransferEncodingChunked(response);
            AsciiString reason = status.codeAsText();
            String phrase = status.reasonPhrase();
            ByteBuf buf = ctx.alloc().buffer(HTTP_1_1.length + 8 + phrase.length() + BodyFraming.sizeHint(headers));
            if (response.protocolVersion() == HttpVersion.HTTP_1_1) {
                buf.writeBytes(HTTP_1_1);
            } else {
                buf.writeCharSequence(response.protocolVersion().text(), StandardCharsets.US_ASCII);
                buf.writeByte(' ');
            }
            buf.writeBytes(reason.array(), reason.arrayOffset(), reason.length()).writeByte(' ');
            buf.writeCharSequence(phrase, StandardCharsets.ISO_8859_1);
            BodyFraming.crlf(buf);
            BodyFraming.writeFields(buf, headers);
            BodyFraming.crlf(buf);
            out.add(buf);
        }
    }
}
