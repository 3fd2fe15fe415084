package dev.meridian.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The client connection's HTTP/1.1 codec: Netty's {@code HttpServerCodec}, with a decoder that also refuses the
 * request heads a proxy must not pass on (see {@link RequestHeadScanner} and {@link RequestFraming}). A refused
 * request comes out as an {@link HttpRequest} whose decoder result is a failed {@link FramingViolation}, like
 * Netty's own decoding failures, and nothing after it on the connection is decoded: its framing cannot be trusted.
 *
 * <p>{@code HttpServerCodec} cannot be given another decoder, so its two other jobs are redone here: the encoder
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

    ServerCodec(HttpDecoderConfig config) {
        init(new StrictRequestDecoder(config), new ResponseEncoder());
    }

    final class StrictRequestDecoder extends HttpRequestDecoder {
        private final RequestHeadScanner scanner = new RequestHeadScanner();
        /** The decoder is between requests or inside a head: the bytes it consumes are head bytes. */
        private boolean readingHead = true;
        /** A request was refused: the rest of the connection's bytes are skipped until it closes. */
        private boolean refused;
        private int hostLines;
        private int encodingLines;
        /** Readable bytes at the start of the input that the scanner has seen already. */
        private int scannedAhead;

        StrictRequestDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (refused) {
                in.skipBytes(in.readableBytes());
                return;
            }
            if (readingHead && scanAhead(in)) {
                // Refused as soon as seen, not when the head ends: a client must not hold a connection open
                // with a head that can only be refused (a bare CR waits for an LF that never comes).
                refuse(in, out);
                return;
            }
            int from = in.readerIndex();
            int before = out.size();
            super.decode(ctx, in, out);
            scannedAhead = Math.max(0, scannedAhead - (in.readerIndex() - from));
            for (int i = before; i < out.size(); i++) {
                Object msg = out.get(i);
                if (msg instanceof HttpRequest) {
                    headDecoded((HttpRequest) msg);
                }
                if (((HttpObject) msg).decoderResult().isFailure()) {
                    refused = true;
                    for (int j = out.size() - 1; j > i; j--) {
                        ReferenceCountUtil.release(out.remove(j));
                    }
                    return;
                }
                if (msg instanceof LastHttpContent) {
                    nextHead();
                }
            }
        }

        /**
         * Scans the head bytes not scanned yet. Netty consumes a head line by line, so the readable bytes start
         * with the ones scanned by earlier calls and not consumed since; the scanner stops at the head's end and
         * never reads into a body.
         *
         * @return whether the head broke a rule
         */
        private boolean scanAhead(ByteBuf in) {
            int readable = in.readableBytes();
            if (scannedAhead < readable) {
                scanner.scan(in, in.readerIndex() + scannedAhead, in.writerIndex());
                scannedAhead = readable;
            }
            return scanner.problem() != null;
        }

        private void refuse(ByteBuf in, List<Object> out) {
            refused = true;
            in.skipBytes(in.readableBytes());
            HttpRequest refusal = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
            refusal.setDecoderResult(DecoderResult.failure(FramingViolation.badRequest(scanner.problem())));
            unanswered.add(refusal.method());
            out.add(refusal);
        }

        private void headDecoded(HttpRequest req) {
            readingHead = false;
            if (req.decoderResult().isSuccess()) {
                String problem = scanner.problem();
                FramingViolation violation = problem != null ? FramingViolation.badRequest(problem)
                        : RequestFraming.check(req, hostLines, encodingLines);
                if (violation == null && unanswered.size() >= MAX_PIPELINED) {
                    violation = FramingViolation.badRequest("more than " + MAX_PIPELINED
                            + " pipelined requests waiting for their responses");
                }
                if (violation != null) {
                    req.setDecoderResult(DecoderResult.failure(violation));
                }
            }
            unanswered.add(req.method());
        }

        private void nextHead() {
            readingHead = true;
            scannedAhead = 0;
            scanner.reset();
            hostLines = 0;
            encodingLines = 0;
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString name = super.splitHeaderName(sb, start, length);
            if (readingHead) {  // trailer fields are parsed here too: they do not count
                if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
                    hostLines++;
                } else if (HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
                    encodingLines++;
                }
            }
            return name;
        }
    }

    final class ResponseEncoder extends HttpResponseEncoder {
        private HttpMethod method;

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse response) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(response);  // 100 Continue answers no request yet
            }
            method = unanswered.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(response);
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse response, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method)
                    && response.status().codeClass() == HttpStatusClass.SUCCESS) {
                response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);  // a tunnel has no framing
                return;
            }
            super.sanitizeHeadersBeforeEncode(response, isAlwaysEmpty);
        }
    }
}
