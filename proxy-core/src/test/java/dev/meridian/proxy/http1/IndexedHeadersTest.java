package dev.meridian.proxy.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The indexed headers answer as Netty's own headers do, while reading the client's bytes in place.
 */
class IndexedHeadersTest {
    private static final String[] ASKED = {"close", "keep-alive", "Keep-Alive", "upgrade", "chunked", "", "a", "b",
        "clos"};

    /** A Connection (or Transfer-Encoding) value as a client may send it: lists, case, spaces and tabs, empties. */
    @ParameterizedTest
    @ValueSource(strings = {"keep-alive", "Keep-Alive", "close", "  close\t", "upgrade, keep-alive", "Upgrade,close",
        "a,,b", "a, ,b", ",", "", "closed", "x-close", "keep-alive , CLOSE ", "gzip, chunked", "\tchunked"})
    void aListedValueIsFoundAsNettysHeadersFindIt(String value) {
        ParsedRequest request = parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: " + value + "\r\nX-A: 1\r\n\r\n");
        try {
            HttpHeaders netty = new DefaultHttpHeaders(false).add("Host", "h").add("Connection", value.strip())
                    .add("X-A", "1");
            for (String asked : ASKED) {
                for (boolean ignoreCase : new boolean[] {true, false}) {
                    assertThat(request.headers().containsValue("connection", asked, ignoreCase))
                            .as("'%s' in '%s', ignoring case: %s", asked, value, ignoreCase)
                            .isEqualTo(netty.containsValue("connection", asked, ignoreCase));
                }
            }
        } finally {
            request.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"close", "keep-alive, Upgrade"})
    void addedAndRemovedFieldsCountAsNettysDo(String value) {
        ParsedRequest request = parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: x\r\n\r\n");
        try {
            HttpHeaders headers = request.headers();
            headers.remove("Connection");
            headers.add("Connection", value);
            HttpHeaders netty = new DefaultHttpHeaders(false).add("Host", "h").add("Connection", value);
            for (String asked : ASKED) {
                assertThat(headers.containsValue("Connection", asked, true)).as("'%s' in '%s'", asked, value)
                        .isEqualTo(netty.containsValue("Connection", asked, true));
            }
            assertThat(headers.containsValue("Connection", "x", true)).isFalse();
        } finally {
            request.release();
        }
    }

    private static ParsedRequest parse(String head) {
        RequestHeadParser parser = new RequestHeadParser(8 * 1024, 64 * 1024);
        ByteBuf in = Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1);
        try {
            assertThat(parser.feed(in, 0, in.writerIndex())).isEqualTo(RequestHeadParser.Result.COMPLETE);
            return parser.take();
        } finally {
            in.release();
        }
    }
}
