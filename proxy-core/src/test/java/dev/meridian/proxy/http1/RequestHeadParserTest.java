package dev.meridian.proxy.http1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.IllegalReferenceCountException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parser's requests are pooled: parsed straight into, handed out held once, back in the loop's pool at the last
 * release, and parsed into again with nothing of the request before left in them. Tests run on one thread, whose
 * pool they look at.
 */
class RequestHeadParserTest {
    private static final String HEAD_A = "GET /a?x=1 HTTP/1.1\r\nHost: shop.example\r\nAccept: */*\r\n\r\n";
    private static final String HEAD_B = "POST /b HTTP/1.0\r\nHost: other.example\r\nContent-Length: 3\r\n\r\n";

    private final RequestHeadParser parser = new RequestHeadParser(8 * 1024, 64 * 1024);

    @Test
    void aReleasedRequestIsParsedIntoAgainWithNothingOfTheLastLeft() {
        ParsedRequest first = parse(HEAD_A);
        first.headers().add("X-Added", "1");
        first.headers().remove(HttpHeaderNames.ACCEPT);
        first.setUri("/rewritten");
        first.release();

        ParsedRequest second = parse(HEAD_B);
        try {
            assertThat(second).as("the pool's last request is the next one parsed into").isSameAs(first);
            assertThat(second.method()).isEqualTo(HttpMethod.POST);
            assertThat(second.uri()).isEqualTo("/b");
            assertThat(second.protocolVersion().text()).isEqualTo("HTTP/1.0");
            assertThat(second.contentLength()).isEqualTo(3);
            assertThat(second.headers().entries()).containsExactly(Map.entry("Host", "other.example"),
                    Map.entry("Content-Length", "3"));
            assertThat(written(second.indexedHeaders())).isEqualTo("Host: other.example\r\nContent-Length: 3\r\n");
        } finally {
            second.release();
        }
    }

    @Test
    void readingAReleasedRequestFailsAsAReleasedBufferDoes() {
        ParsedRequest request = parse(HEAD_A);
        IndexedHeaders headers = request.indexedHeaders();
        assertThat(request.release()).isTrue();
        assertThat(request.refCnt()).isZero();
        assertThatThrownBy(request::headers).isInstanceOf(IllegalReferenceCountException.class);
        assertThatThrownBy(request::uri).isInstanceOf(IllegalReferenceCountException.class);
        assertThatThrownBy(() -> headers.get(HttpHeaderNames.HOST))
                .isInstanceOf(IllegalReferenceCountException.class);
        assertThatThrownBy(request::release).isInstanceOf(IllegalReferenceCountException.class);
        assertThatThrownBy(request::retain).isInstanceOf(IllegalReferenceCountException.class);
    }

    @Test
    void aRetainedRequestGoesBackOnlyAtItsLastRelease() {
        ParsedRequest request = parse(HEAD_A);
        request.retain();
        int idle = ParsedRequest.POOL.idleCount();
        assertThat(request.release()).isFalse();
        assertThat(request.headers().get(HttpHeaderNames.HOST)).isEqualTo("shop.example");
        assertThat(ParsedRequest.POOL.idleCount()).isEqualTo(idle);
        assertThat(request.release()).isTrue();
        assertThat(ParsedRequest.POOL.idleCount()).isEqualTo(idle + 1);
    }

    @Test
    void pipelinedRequestsTakenBeforeEitherIsReleasedKeepTheirOwnBytes() {
        ByteBuf in = Unpooled.copiedBuffer(HEAD_A + HEAD_B, StandardCharsets.ISO_8859_1);
        try {
            assertThat(parser.feed(in, 0, in.writerIndex())).isEqualTo(RequestHeadParser.Result.COMPLETE);
            int first = parser.consumed();
            ParsedRequest a = parser.take();
            parser.reset();
            assertThat(parser.feed(in, first, in.writerIndex())).isEqualTo(RequestHeadParser.Result.COMPLETE);
            ParsedRequest b = parser.take();
            parser.reset();
            assertThat(b).isNotSameAs(a);
            assertThat(a.uri()).isEqualTo("/a?x=1");
            assertThat(a.headers().get(HttpHeaderNames.HOST)).isEqualTo("shop.example");
            assertThat(b.uri()).isEqualTo("/b");
            assertThat(b.headers().get(HttpHeaderNames.HOST)).isEqualTo("other.example");
            a.release();
            b.release();
        } finally {
            in.release();
        }
    }

    @Test
    void aRefusedHeadGivesItsRequestBack() {
        parse(HEAD_A).release();  // so the pool has one to lend
        int idle = ParsedRequest.POOL.idleCount();
        ByteBuf in = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n",
                StandardCharsets.ISO_8859_1);
        try {
            assertThat(parser.feed(in, 0, in.writerIndex())).isEqualTo(RequestHeadParser.Result.REFUSED);
            assertThat(ParsedRequest.POOL.idleCount()).isEqualTo(idle);
            parser.reset();
            assertThat(ParsedRequest.POOL.idleCount()).isEqualTo(idle);
        } finally {
            in.release();
        }
    }

    @Test
    void aHeadSplitAcrossReadsHoldsItsRequestUntilTaken() {
        parse(HEAD_A).release();
        int idle = ParsedRequest.POOL.idleCount();
        String head = "GET /split HTTP/1.1\r\nHost: h\r\nCookie: " + "c".repeat(5000) + "\r\nX-Last: 1\r\n\r\n";
        ByteBuf in = Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1);
        try {
            int from = 0;
            RequestHeadParser.Result result = RequestHeadParser.Result.INCOMPLETE;
            while (result == RequestHeadParser.Result.INCOMPLETE) {
                int to = Math.min(in.writerIndex(), from + 700);
                result = parser.feed(in, from, to);
                if (result == RequestHeadParser.Result.INCOMPLETE) {
                    assertThat(ParsedRequest.POOL.idleCount()).as("held while the head waits").isEqualTo(idle - 1);
                }
                from = to;
            }
            assertThat(result).isEqualTo(RequestHeadParser.Result.COMPLETE);
            ParsedRequest request = parser.take();
            parser.reset();
            assertThat(request.uri()).isEqualTo("/split");
            assertThat(request.headers().get(HttpHeaderNames.COOKIE)).hasSize(5000);
            assertThat(request.headers().get("x-last")).isEqualTo("1");
            request.release();
        } finally {
            in.release();
        }
    }

    @Test
    void theTargetIsReadInPlaceUntilAStringIsAskedFor() {
        ParsedRequest request = parse(HEAD_A);
        try {
            CharSequence inPlace = request.target();
            assertThat(inPlace).isNotInstanceOf(String.class);
            assertThat(inPlace.toString()).isEqualTo("/a?x=1");
            assertThat(inPlace.length()).isEqualTo(6);
            assertThat(inPlace.charAt(2)).isEqualTo('?');
            String made = request.uri();
            assertThat(request.target()).isSameAs(made);
            assertThat(request.uri()).isSameAs(made);
        } finally {
            request.release();
        }
    }

    @Test
    void aConnectionsRequestsShareTheHostStringWhileTheirHostBytesAreTheSame() {
        ParsedRequest first = parse(HEAD_A);
        String host = first.headers().get(HttpHeaderNames.HOST);
        first.release();
        ParsedRequest second = parse(HEAD_A);
        assertThat(second.headers().get(HttpHeaderNames.HOST)).isSameAs(host);
        second.release();

        ParsedRequest changed = parse("GET /a?x=1 HTTP/1.1\r\nHost: shop.examplf\r\nAccept: */*\r\n\r\n");
        assertThat(changed.headers().get(HttpHeaderNames.HOST)).isEqualTo("shop.examplf");
        changed.release();

        RequestHeadParser otherConnection = new RequestHeadParser(8 * 1024, 64 * 1024);
        ParsedRequest elsewhere = parse(otherConnection, HEAD_A);
        assertThat(elsewhere.headers().get(HttpHeaderNames.HOST)).isEqualTo("shop.example").isNotSameAs(host);
        elsewhere.release();
    }

    /** The request line's limit holds to the byte, whether the version arrives whole or a byte at a time. */
    @ParameterizedTest
    @ValueSource(ints = {62, 63, 64, 65, 66})
    void theRequestLineLimitIsTheSameForAVersionReadAtOnceAndOneReadByteByByte(int lineLength) {
        int limit = 64;
        String line = "GET /" + "a".repeat(lineLength - 14) + " HTTP/1.1";
        assertThat(line).hasSize(lineLength);
        ByteBuf in = Unpooled.copiedBuffer(line + "\r\nHost: h\r\n\r\n", StandardCharsets.ISO_8859_1);
        try {
            RequestHeadParser whole = new RequestHeadParser(limit, 1024);
            RequestHeadParser.Result atOnce = whole.feed(in, 0, in.writerIndex());
            RequestHeadParser bytes = new RequestHeadParser(limit, 1024);
            RequestHeadParser.Result byByte = RequestHeadParser.Result.INCOMPLETE;
            for (int i = 0; i < in.writerIndex() && byByte == RequestHeadParser.Result.INCOMPLETE; i++) {
                byByte = bytes.feed(in, i, i + 1);
            }
            assertThat(atOnce).isEqualTo(byByte)
                    .isEqualTo(lineLength <= limit ? RequestHeadParser.Result.COMPLETE : RequestHeadParser.Result.REFUSED);
            assertThat(whole.status()).isEqualTo(bytes.status()).isEqualTo(lineLength <= limit ? 0 : 414);
            if (atOnce == RequestHeadParser.Result.COMPLETE) {
                whole.take().release();
                bytes.take().release();
            }
        } finally {
            in.release();
        }
    }

    @Test
    void takingWithoutACompleteHeadIsRefused() {
        assertThatThrownBy(parser::take).isInstanceOf(IllegalStateException.class);
    }

    private ParsedRequest parse(String head) {
        return parse(parser, head);
    }

    private static ParsedRequest parse(RequestHeadParser parser, String head) {
        ByteBuf in = Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1);
        try {
            assertThat(parser.feed(in, 0, in.writerIndex())).isEqualTo(RequestHeadParser.Result.COMPLETE);
            ParsedRequest request = parser.take();
            parser.reset();
            return request;
        } finally {
            in.release();
        }
    }

    private static String written(IndexedHeaders headers) {
        ByteBuf out = Unpooled.buffer();
        try {
            headers.writeTo(out);
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }
}
