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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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

    /** Feeds bytes and describes what came out: H200, C5 (content bytes), L0 (last content), or !fail. */
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
            if (h instanceof HttpContent) {
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
