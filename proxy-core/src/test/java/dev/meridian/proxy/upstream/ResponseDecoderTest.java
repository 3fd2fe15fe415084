package dev.meridian.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The decoder's view of one connection's framing, across requests; on an EmbeddedChannel. */
class ResponseDecoderTest {
    private final AtomicInteger unasked = new AtomicInteger();
    private final ResponseDecoder decoder = new ResponseDecoder(4096, unasked::incrementAndGet);
    private final EmbeddedChannel channel = new EmbeddedChannel(decoder, new RequestEncoder(decoder));

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    private void send(HttpMethod method) {
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        ReferenceCountUtil.release(channel.readOutbound());
    }

    /** Feeds bytes and describes what came out: H200, C5 (content bytes), L0 (last content), or !failure. */
    private List<String> feed(String raw) {
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        List<String> out = new ArrayList<>();
        Object o;
        while ((o = channel.readInbound()) != null) {
            HttpObject h = (HttpObject) o;
            if (h.decoderResult().isFailure()) {
                out.add("!" + h.decoderResult().cause().getMessage());
            } else if (h instanceof HttpResponse) {
                out.add("H" + ((HttpResponse) h).status().code());
            }
            if (h instanceof HttpContent && h.decoderResult().isSuccess()) {
                out.add((h instanceof LastHttpContent ? "L" : "C") + ((HttpContent) h).content().readableBytes());
            }
            ReferenceCountUtil.release(o);
        }
        return out;
    }

    @Test
    void aResponseThatEndsWhereItSaysLeavesTheConnectionClean() {
        send(HttpMethod.GET);
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")).containsExactly("H200", "L2");
        assertThat(decoder.clean()).isTrue();
        assertThat(decoder.overran()).isFalse();
    }

    @Test
    void bytesPastTheEndInTheSameReadAreDroppedAndMarkTheConnection() {
        send(HttpMethod.GET);
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 200 OK\r\n\r\n"))
                .containsExactly("H200", "L2");
        assertThat(decoder.overran()).isTrue();
        assertThat(decoder.clean()).isFalse();
    }

    @Test
    void bytesWhileNoRequestIsOutAreReported() {
        send(HttpMethod.GET);
        feed("HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(feed("x")).isEmpty();
        assertThat(unasked.get()).isEqualTo(1);
        assertThat(decoder.overran()).isTrue();
    }

    @Test
    void aHeadResponseHasNoBodyWhateverItsLength() {
        send(HttpMethod.HEAD);
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")).containsExactly("H200", "L0");
        assertThat(decoder.clean()).isTrue();
        send(HttpMethod.GET);
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")).containsExactly("H200", "L1");
    }

    @Test
    void interimResponsesDoNotEndTheExchange() {
        send(HttpMethod.GET);
        assertThat(feed("HTTP/1.1 100 Continue\r\n\r\n")).containsExactly("H100", "L0");
        assertThat(decoder.clean()).isFalse();
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).containsExactly("H200", "L0");
        assertThat(decoder.clean()).isTrue();
    }

    @Test
    void aMalformedHeadBecomesOneFailedResponseAndNothingAfter() {
        send(HttpMethod.GET);
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi"))
                .containsExactly("!several Content-Length headers");
        assertThat(feed("more")).isEmpty();
        assertThat(decoder.clean()).isFalse();
    }

    @Test
    void aChunkedBodyKeepsItsChunksAndTrailersAndLosesTheExtensions() {
        send(HttpMethod.GET);
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=\"v w\"\r\nhello\r\n1 ; x\r\n!\r\n0\r\nX-Checksum: abc\r\nContent-Length: 3\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = channel.readInbound()) != null) {
            out.add(o);
        }
        try {
            assertThat(out).hasSize(4);
            assertThat(((HttpContent) out.get(1)).content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(((HttpContent) out.get(2)).content().toString(StandardCharsets.US_ASCII)).isEqualTo("!");
            LastHttpContent last = (LastHttpContent) out.get(3);
            assertThat(last.trailingHeaders().get("x-checksum")).isEqualTo("abc");
            assertThat(last.trailingHeaders().contains("content-length")).isFalse();  // framing has no say there
            assertThat(decoder.clean()).isTrue();
        } finally {
            out.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void bodyBytesAreSlicesOfTheBytesReceivedNotCopies() {
        send(HttpMethod.GET);
        byte[] raw = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII);
        channel.writeInbound(Unpooled.wrappedBuffer(raw));
        ReferenceCountUtil.release(channel.readInbound());
        LastHttpContent body = channel.readInbound();
        try {
            assertThat(body.content().hasArray()).isTrue();
            assertThat(body.content().array()).isSameAs(raw);
            assertThat(body.content().arrayOffset() + body.content().readerIndex()).isEqualTo(raw.length - 5);
        } finally {
            body.release();
        }
    }

    @Test
    void aBodylessResponseLosesItsTransferEncoding() {
        send(HttpMethod.HEAD);
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                StandardCharsets.US_ASCII));
        HttpResponse head = channel.readInbound();
        assertThat(head.headers().contains("transfer-encoding")).isFalse();
        ReferenceCountUtil.release(head);
        assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(decoder.clean()).isTrue();
        send(HttpMethod.GET);
        assertThat(feed("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n")).containsExactly("H204", "L0");
        assertThat(decoder.clean()).isTrue();
    }

    @Test
    void aBodyWithoutALengthEndsAtTheClose() {
        send(HttpMethod.GET);
        assertThat(feed("HTTP/1.0 200 OK\r\n\r\nsome")).containsExactly("H200", "C4");
        assertThat(feed(" more")).containsExactly("C5");
        assertThat(decoder.clean()).isFalse();
        channel.finish();
        assertThat(channel.<Object>readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(decoder.clean()).isTrue();
    }

    @Test
    void aCloseBeforeTheAnnouncedEndEndsNothing() {
        send(HttpMethod.GET);
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")).containsExactly("H200", "C5");
        channel.finish();
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(decoder.clean()).isFalse();
    }

    static Stream<Arguments> brokenChunkedBodies() {
        return Stream.of(
                Arguments.of("zz\r\n", "invalid chunk size line 'z': no hexadecimal size"),
                Arguments.of("5 x\r\nhello\r\n", "invalid chunk size line '5 x': invalid character after the size"),
                Arguments.of("5\nhello\r\n", "bare LF"),
                Arguments.of("5\rhello\r\n", "CR without LF"),
                Arguments.of("5;a\u0000\r\nhello\r\n", "control character in the extension"),
                Arguments.of("FFFFFFFFF\r\n", "chunk size overflow"),
                Arguments.of("5\r\nhelloX\r\n", "chunk data not followed by CRLF"),
                Arguments.of("5\r\nhello\r\n0\r\n folded\r\n\r\n", "obsolete line folding in the response trailers"),
                Arguments.of("1\r\na\r\n0\r\nX : y\r\n\r\n", "whitespace in or after the trailer name 'X'"),
                Arguments.of("1\r\na\r\n0\r\nX: y\n\r\n", "bare LF at the end of a trailer line"),
                Arguments.of("1;" + "e".repeat(ResponseDecoder.MAX_CHUNK_LINE),
                        "chunk size line longer than 8192 bytes"),
                Arguments.of("0\r\nX-Big: " + "b".repeat(4096) + "\r\n\r\n",
                        "response trailers larger than 4096 bytes"));
    }

    @ParameterizedTest
    @MethodSource("brokenChunkedBodies")
    void aBrokenChunkedBodyEndsInAFailureAndNothingAfter(String body, String reason) {
        send(HttpMethod.GET);
        List<String> out = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
        assertThat(out.get(0)).isEqualTo("H200");
        assertThat(out.get(out.size() - 1)).startsWith("!").contains(reason);
        assertThat(feed("more")).isEmpty();
        assertThat(decoder.clean()).isFalse();
    }

    @Test
    void answeredTellsWhetherAnyByteCameForTheRequestOut() {
        send(HttpMethod.GET);
        assertThat(decoder.answered()).isFalse();
        feed("HTTP/1.1 2");
        assertThat(decoder.answered()).isTrue();
        feed("00 OK\r\nContent-Length: 0\r\n\r\n");
        send(HttpMethod.GET);
        assertThat(decoder.answered()).isFalse();
    }
}
