package dev.meridian.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.proxy.http1.IndexedHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseHeadTest {
    private static final int MAX = 1024;

    /** Checks the head given whole, then again fed one byte at a time; both must agree. */
    private static String check(String head) {
        String whole = run(head, head.length());
        String trickled = run(head, 1);
        assertThat(trickled).as("fed byte by byte").isEqualTo(whole);
        return whole;
    }

    private static String run(String head, int step) {
        ResponseHead check = new ResponseHead(MAX);
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuf buf = Unpooled.buffer();
        try {
            for (int i = 0; i < bytes.length; i += step) {
                buf.writeBytes(bytes, i, Math.min(step, bytes.length - i));
                ResponseHead.Result r = check.scan(buf);
                if (r == ResponseHead.Result.COMPLETE) {
                    return "ok";
                }
                if (r == ResponseHead.Result.INVALID) {
                    return (check.tooLarge() ? "too large: " : "") + check.problem();
                }
            }
            return "incomplete";
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.0 404 Not Found\r\n\r\n",
        "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 204 \r\n\r\n",
        "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Tab:\tvalue\t\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-Latin: caf\u00e9\r\n\r\n",
        "HTTP/1.1 599 Custom reason, with punctuation!\r\n\r\n",
    })
    void wellFormedHeadsPass(String head) {
        assertThat(check(head)).isEqualTo("ok");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("HTTP/2.0 200 OK\r\n\r\n", "status line 'HTTP/2.0 200 OK' is not HTTP/1.0 or HTTP/1.1"),
                Arguments.of("ICY 200 OK\r\n\r\n", "status line 'ICY 200 OK' is not HTTP/1.0 or HTTP/1.1"),
                Arguments.of("http/1.1 200 OK\r\n\r\n", "is not HTTP/1.0 or HTTP/1.1"),
                Arguments.of("HTTP/1.1  200 OK\r\n\r\n", "has no three-digit status code"),
                Arguments.of("HTTP/1.1 2000 OK\r\n\r\n", "has no three-digit status code"),
                Arguments.of("HTTP/1.1 20x OK\r\n\r\n", "has no three-digit status code"),
                Arguments.of("HTTP/1.1 099 Low\r\n\r\n", "status code 99 is outside 100-599"),
                Arguments.of("HTTP/1.1 600 High\r\n\r\n", "status code 600 is outside 100-599"),
                Arguments.of("HTTP/1.1 101 Switching Protocols\r\n\r\n", "101 Switching Protocols"),
                Arguments.of("HTTP/1.1 200 O\u0000K\r\n\r\n", "control character in the status line"),
                Arguments.of("HTTP/1.1 200 OK\n\n", "bare LF at the end of a status line"),
                Arguments.of("HTTP/1.1 200 OK\r\nA: b\n\r\n", "bare LF at the end of a header line"),
                Arguments.of("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", "control character in the value of header 'A'"),
                Arguments.of("HTTP/1.1 200 OK\r\nA: b\u007f\r\n\r\n", "control character in the value of header 'A'"),
                Arguments.of("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", "obsolete line folding"),
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\n",
                        "whitespace in or after the header name 'Content-Length'"),
                Arguments.of("HTTP/1.1 200 OK\r\nTransfer-Encoding x: chunked\r\n\r\n",
                        "whitespace in or after the header name 'Transfer-Encoding'"),
                Arguments.of("HTTP/1.1 200 OK\r\nA\"B: c\r\n\r\n", "invalid character in the header name 'A\"'"),
                Arguments.of("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "header line 'NoColon' has no colon"),
                Arguments.of("HTTP/1.1 200 OK\r\n: empty\r\n\r\n", "header line with an empty name"),
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\n",
                        "several Content-Length headers"),
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n", "invalid Content-Length '2, 2'"),
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\n", "invalid Content-Length '+2'"),
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
                        "invalid Content-Length"),
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "both Content-Length and Transfer-Encoding"),
                Arguments.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                        "Transfer-Encoding 'gzip, chunked': only a single 'chunked' coding is relayed"),
                Arguments.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "Transfer-Encoding 'chunked, chunked'"),
                Arguments.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n", "Transfer-Encoding 'xchunked'"),
                Arguments.of("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "Transfer-Encoding in an HTTP/1.0 response"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedHeadsAreRefusedWithAReason(String head, String reason) {
        assertThat(check(head)).contains(reason).doesNotStartWith("too large");
    }

    @Test
    void headersBeyondTheLimitAreTooLargeBeforeTheirEndArrives() {
        String big = "HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(MAX) + "\r\n\r\n";
        assertThat(check(big)).isEqualTo("too large: response headers larger than 1024 bytes");
        String unfinished = big.substring(0, big.length() - 10);  // no line end yet: the size alone decides
        assertThat(run(unfinished, unfinished.length())).startsWith("too large");
    }

    @Test
    void anEndlessStatusLineIsTooLarge() {
        String endless = "HTTP/1.1 200 " + "x".repeat(ResponseHead.MAX_STATUS_LINE);
        assertThat(run(endless, endless.length())).isEqualTo("too large: status line longer than 8192 bytes");
    }

    @Test
    void aHeadWithoutItsEmptyLineIsIncomplete() {
        assertThat(check("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n")).isEqualTo("incomplete");
    }

    @Test
    void aHeadExactlyAtTheLimitsPassesHoweverItIsSplit() {
        // check() feeds it byte by byte too: a CR waiting for its LF must not count as one byte too many.
        String fill = "X-Fill: " + "f".repeat(MAX - "X-Fill: ".length() - 2) + "\r\n";
        assertThat(check("HTTP/1.1 200 OK\r\n" + fill + "\r\n")).isEqualTo("ok");
        String longest = "HTTP/1.1 200 " + "r".repeat(ResponseHead.MAX_STATUS_LINE - 13);
        assertThat(run(longest + "\r", 1)).isEqualTo("incomplete");
        assertThat(run(longest + "\r\n\r\n", 1)).isEqualTo("ok");
        assertThat(run(longest + "r\r\n\r\n", 1)).isEqualTo("too large: status line longer than 8192 bytes");
    }

    @Test
    void theResponseIsBuiltFromTheOffsetsAsTheEndpointSpelledIt() {
        String head = "HTTP/1.0 299 Custom  Reason \r\ncontent-type: text/plain\r\nX-Odd-Case:  padded\tvalue \r\n"
                + "X-Empty:\r\nContent-Length: 007\r\nX-Latin: caf\u00e9\r\n\r\n";
        ResponseHead parsed = new ResponseHead(MAX);
        ByteBuf buf = Unpooled.copiedBuffer(head + "body", StandardCharsets.ISO_8859_1);
        try {
            assertThat(parsed.scan(buf)).isEqualTo(ResponseHead.Result.COMPLETE);
            assertThat(parsed.length()).isEqualTo(head.length());
            assertThat(parsed.contentLength()).isEqualTo(7);
            HttpResponse response = parsed.response(false);
            assertThat(response.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
            assertThat(response.status().code()).isEqualTo(299);
            assertThat(response.status().reasonPhrase()).isEqualTo("Custom  Reason");
            List<String> fields = new ArrayList<>();
            response.headers().iteratorCharSequence()
                    .forEachRemaining(e -> fields.add(e.getKey() + "=" + e.getValue()));
            assertThat(fields).containsExactly("content-type=text/plain", "X-Odd-Case=padded\tvalue", "X-Empty=",
                    "Content-Length=7", "X-Latin=caf\u00e9");
            ReferenceCountUtil.release(response);
            // No name is made into an object per response: the fields stay the endpoint's bytes, with offsets.
            HttpResponse again = parsed.response(false);
            assertThat(again.headers()).isInstanceOf(IndexedHeaders.class);
            ReferenceCountUtil.release(again);
        } finally {
            buf.release();
        }
    }

    @Test
    void aStandardReasonGivesTheStandardStatus() {
        ResponseHead parsed = new ResponseHead(MAX);
        ByteBuf buf = Unpooled.copiedBuffer("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n",
                StandardCharsets.US_ASCII);
        try {
            assertThat(parsed.scan(buf)).isEqualTo(ResponseHead.Result.COMPLETE);
            assertThat(parsed.chunked()).isTrue();
            HttpResponse withBody = parsed.response(false);
            assertThat(withBody.status()).isSameAs(HttpResponseStatus.NOT_FOUND);
            ReferenceCountUtil.release(withBody);
            // With no body to come, the chunked coding is no longer announced.
            HttpResponse bodyless = parsed.response(true);
            assertThat(bodyless.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)).isFalse();
            ReferenceCountUtil.release(bodyless);
        } finally {
            buf.release();
        }
    }

    @Test
    void resetStartsOver() {
        ResponseHead check = new ResponseHead(MAX);
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n";
        ByteBuf first = Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII);
        ByteBuf second = Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII);
        try {
            assertThat(check.scan(first)).isEqualTo(ResponseHead.Result.COMPLETE);
            check.reset(false);
            // Without the reset, a second Content-Length would count as a duplicate.
            assertThat(check.scan(second)).isEqualTo(ResponseHead.Result.COMPLETE);
        } finally {
            first.release();
            second.release();
        }
    }
}
