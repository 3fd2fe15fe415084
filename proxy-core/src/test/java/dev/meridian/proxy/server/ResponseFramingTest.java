package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** How a response is framed for the client's version and method, and whether the connection outlives it. */
class ResponseFramingTest {
    private final ResponseFraming framing = new ResponseFraming();

    private void begin(HttpVersion version, HttpMethod method, boolean close) {
        framing.begin(new DefaultHttpRequest(version, method, "/"), close);
    }

    private static HttpResponse head(int code) {
        return new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.valueOf(code));
    }

    @Test
    void aBodyOfUnknownLengthIsChunkedForHttp11AndEndsAtTheCloseForHttp10() {
        begin(HttpVersion.HTTP_1_1, HttpMethod.GET, false);
        HttpResponse to11 = head(200);
        framing.frameHead(to11, false, false);
        assertThat(to11.headers().get(HttpHeaderNames.TRANSFER_ENCODING)).isEqualTo("chunked");
        assertThat(to11.headers().get(HttpHeaderNames.CONNECTION)).isNull();
        assertThat(to11.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(framing.closesAfterResponse()).isFalse();

        begin(HttpVersion.HTTP_1_0, HttpMethod.GET, false);
        HttpResponse to10 = head(200);
        framing.frameHead(to10, false, false);
        assertThat(to10.headers().get(HttpHeaderNames.TRANSFER_ENCODING)).isNull();
        assertThat(to10.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(framing.closesAfterResponse()).isTrue();
        assertThat(framing.bodyEndsAtClose()).isTrue();
    }

    @Test
    void aKeptHttp10ConnectionIsToldSoAndBodylessResponsesGetNoFraming() {
        begin(HttpVersion.HTTP_1_0, HttpMethod.GET, false);
        HttpResponse withLength = head(200);
        framing.frameHead(withLength, true, false);
        assertThat(withLength.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("keep-alive");
        assertThat(framing.bodyEndsAtClose()).isFalse();

        for (int code : new int[] {204, 304}) {
            begin(HttpVersion.HTTP_1_1, HttpMethod.GET, false);
            HttpResponse bodyless = head(code);
            framing.frameHead(bodyless, false, false);
            assertThat(bodyless.headers().isEmpty()).as("%d", code).isTrue();
        }
        begin(HttpVersion.HTTP_1_1, HttpMethod.HEAD, false);
        HttpResponse toHead = head(200);
        framing.frameHead(toHead, false, false);
        assertThat(toHead.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)).isFalse();
    }

    @Test
    void aDrainOrARefusedBodyClosesAfterTheResponseAndOnlyARefusedBodyLingers() {
        begin(HttpVersion.HTTP_1_1, HttpMethod.GET, false);
        HttpResponse draining = head(200);
        framing.frameHead(draining, true, true);
        assertThat(draining.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(framing.lingers()).isFalse();

        begin(HttpVersion.HTTP_1_1, HttpMethod.POST, false);
        framing.closeWithRequestUnread();
        FullHttpResponse reply = framing.localReply(ByteBufAllocator.DEFAULT,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "too large", false);
        try {
            assertThat(reply.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
            assertThat(framing.lingers()).isTrue();
            framing.bodyTooSlow();
            assertThat(framing.lingers()).as("a client too slow is not waited for").isFalse();
        } finally {
            reply.release();
        }
    }
}
