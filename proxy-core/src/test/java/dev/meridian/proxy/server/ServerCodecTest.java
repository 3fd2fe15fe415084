package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import dev.meridian.proxy.http1.RequestHeadParser;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerCodecTest {
    private static final String PIPELINE = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
            + "\r\nPOST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"
            + "HEAD /d HTTP/1.1\r\nHost: h\r\n\r\n";

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new ServerCodec(8 * 1024, 64 * 1024));
    }

    /** Decodes {@code raw} delivered in pieces of {@code piece} bytes; "REQ method uri", "BODY text", "FAIL why". */
    private static List<String> decode(String raw, int piece) {
        EmbeddedChannel ch = channel();
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += piece) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(piece, bytes.length - i)));
        }
        List<String> seen = new ArrayList<>();
        HttpObject msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg.decoderResult().isFailure()) {
                seen.add("FAIL " + msg.decoderResult().cause().getMessage());
            } else if (msg instanceof HttpRequest req) {
                seen.add("REQ " + req.method() + " " + req.uri());
            } else if (msg instanceof HttpContent c && c.content().isReadable()) {
                String text = c.content().toString(StandardCharsets.ISO_8859_1);
                int last = seen.size() - 1;
                if (last >= 0 && seen.get(last).startsWith("BODY ")) {
                    seen.set(last, seen.get(last) + text);  // one body, however many pieces it came in
                } else {
                    seen.add("BODY " + text);
                }
            }
            ReferenceCountUtil.release(msg);
        }
        ch.finishAndReleaseAll();
        return seen;
    }

    @Test
    void pipelinedRequestsDecodeTheSameWhateverTheyArriveIn() {
        List<String> whole = decode(PIPELINE, PIPELINE.length());
        assertThat(whole).containsExactly("REQ GET /a", "REQ POST /b", "BODY hello", "REQ POST /c", "BODY abc",
                "REQ HEAD /d");
        for (int piece : new int[] {1, 2, 3, 7, 13}) {
            assertThat(decode(PIPELINE, piece)).as("pieces of %d bytes", piece).containsExactlyElementsOf(whole);
        }
    }

    @Test
    void aBareCrIsRefusedWithoutWaitingForTheRestOfTheHead() {
        assertThat(decode("GET / HTTP/1.1\r\nHost: h\r\n\rX", 100))
                .containsExactly("FAIL " + RequestHeadParser.BARE_CR);
    }

    @Test
    void obsFoldInASecondRequestRefusesItAfterTheFirst() {
        assertThat(decode("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nX: 1\r\n 2\r\n\r\n", 5))
                .containsExactly("REQ GET /a", "FAIL " + RequestHeadParser.OBS_FOLD);
    }

    @Test
    void nothingAfterARefusedRequestIsDecoded() {
        assertThat(decode("GET  /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n", 1000))
                .containsExactly("FAIL " + RequestHeadParser.REQUEST_LINE_SEPARATORS);
    }

    @Test
    void trailerFieldsDoNotCountAsTheNextHeadsHost() {
        String raw = "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nHost: x\r\n\r\n"
                + "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
        assertThat(decode(raw, 4)).containsExactly("REQ POST /a", "REQ GET /b");
    }

    @Test
    void aResponseToHeadHasNoBodyAndTheNextResponseIsInSync() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("HEAD /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        Object m;
        while ((m = ch.readInbound()) != null) {
            ReferenceCountUtil.release(m);
        }
        ch.writeOutbound(response("ignored for HEAD"), response("body"));
        StringBuilder wire = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            wire.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        assertThat(wire.toString()).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 16\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nbody");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void tooManyPipelinedRequestsRefuseTheOneBeyondTheLimit() {
        String raw = "GET / HTTP/1.1\r\nHost: h\r\n\r\n".repeat(ServerCodec.MAX_PIPELINED + 1);
        List<String> seen = decode(raw, raw.length());
        assertThat(seen).hasSize(ServerCodec.MAX_PIPELINED + 1);
        assertThat(seen.get(ServerCodec.MAX_PIPELINED)).startsWith("FAIL more than 128 pipelined");
    }

    private static DefaultFullHttpResponse response(String body) {
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.ISO_8859_1));
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
        return r;
    }

    private static final String HANDSHAKE = "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    /** The messages decoded so far, as {@link #decode} names them, each released. */
    private static List<String> drain(EmbeddedChannel ch) {
        List<String> seen = new ArrayList<>();
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg instanceof HttpRequest req) {
                seen.add("REQ " + req.method() + " " + req.uri());
            } else if (msg instanceof ByteBuf raw) {
                seen.add("RAW " + raw.toString(StandardCharsets.ISO_8859_1));
            }
            ReferenceCountUtil.release(msg);
        }
        return seen;
    }

    @Test
    void whatFollowsARequestThatMayOpenATunnelWaitsUndecodedUntilDecodingResumes() {
        for (String head : List.of(HANDSHAKE, "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n")) {
            ServerCodec codec = new ServerCodec(8 * 1024, 64 * 1024);
            EmbeddedChannel ch = new EmbeddedChannel(codec);
            ch.writeInbound(Unpooled.copiedBuffer(head + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n",
                    StandardCharsets.ISO_8859_1));
            assertThat(drain(ch)).as(head).hasSize(1).allSatisfy(r -> assertThat(r).startsWith("REQ "));
            assertThat(codec.holdsBytes()).isTrue();
            ch.writeInbound(Unpooled.copiedBuffer("GET /later HTTP/1.1\r\nHost: h\r\n\r\n",
                    StandardCharsets.ISO_8859_1));
            assertThat(drain(ch)).as("read on, still held").isEmpty();

            codec.resumeDecoding();
            assertThat(drain(ch)).containsExactly("REQ GET /next", "REQ GET /later");
            assertThat(codec.holdsBytes()).isFalse();
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void whenTheCodecGoesWhatItHeldPassesOnUntouchedAheadOfLaterBytes() {
        EmbeddedChannel ch = new EmbeddedChannel(new ServerCodec(8 * 1024, 64 * 1024));
        ch.writeInbound(Unpooled.copiedBuffer(HANDSHAKE + "\u0081\u0085frame", StandardCharsets.ISO_8859_1));
        assertThat(drain(ch)).containsExactly("REQ GET /ws");

        ch.pipeline().remove(ServerCodec.class);
        ch.writeInbound(Unpooled.copiedBuffer("later", StandardCharsets.ISO_8859_1));
        assertThat(drain(ch)).containsExactly("RAW \u0081\u0085frame", "RAW later");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void requestsThatCannotOpenATunnelAreDecodedStraightOn() {
        String notWebSocket = "GET /a HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n";
        String noConnectionUpgrade = "GET /b HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n";
        String http10 = "GET /c HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
        String withBody = "POST /d HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Content-Length: 2\r\n\r\nhi";

        assertThat(decode(notWebSocket + noConnectionUpgrade + http10 + withBody + "GET /e HTTP/1.1\r\nHost: h\r\n\r\n",
                1000)).containsExactly("REQ GET /a", "REQ GET /b", "REQ GET /c", "REQ POST /d", "BODY hi",
                "REQ GET /e");
    }
}
