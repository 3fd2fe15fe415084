package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.proxy.http1.IndexedHeaders;
import dev.meridian.proxy.http1.ParsedRequest;
import dev.meridian.proxy.http1.RequestHeadParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hop-by-hop removal done in one pass over the client's bytes ({@link IndexedHeaders}) leaves exactly the fields
 * the field-by-field removal leaves on Netty's headers.
 */
class HopByHopTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "Host: a\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\nX-A: 1\r\n",
        "Host: a\r\nConnection: x-a , X-B,, content-length, HOST\r\nX-A: 1\r\nx-b: 2\r\nContent-Length: 0\r\nX-C: 3\r\n",
        "Host: a\r\nconnection: upgrade\r\nUpgrade: websocket\r\nTE: trailers\r\nTrailer: X\r\nProxy-Connection: k\r\n",
        "Host: a\r\nConnection: x-a\r\nConnection: x-b\r\nX-A: 1\r\nX-B: 2\r\nX-AB: 3\r\n",
        "Host: a\r\nConnection:\r\nX-A: 1\r\n",
        "Host: a\r\nX-Only: 1\r\n",
    })
    void onePassOverTheBytesRemovesWhatFieldByFieldRemovalDoes(String fields) {
        ParsedRequest request = parse("GET / HTTP/1.1\r\n" + fields + "\r\n");
        try {
            compareWithFieldByField(request.indexedHeaders());
        } finally {
            request.release();
        }
    }

    private static void compareWithFieldByField(IndexedHeaders indexed) {
        HttpHeaders netty = new DefaultHttpHeaders(false);
        for (Map.Entry<String, String> e : indexed) {
            netty.add(e.getKey(), e.getValue());
        }
        ProxyHeaders.removeHopByHop(indexed);
        ProxyHeaders.removeHopByHop(netty);
        assertThat(indexed.entries()).containsExactlyElementsOf(netty.entries());
        assertThat(indexed.size()).isEqualTo(netty.size());
    }

    private static ParsedRequest parse(String head) {
        RequestHeadParser parser = new RequestHeadParser(8192, 65536);
        ByteBuf buf = Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1);
        try {
            assertThat(parser.feed(buf, 0, buf.writerIndex())).isEqualTo(RequestHeadParser.Result.COMPLETE);
            return parser.take();
        } finally {
            buf.release();
        }
    }
}
