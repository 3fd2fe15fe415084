package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.proxy.http1.ParsedRequest;
import dev.meridian.testing.StrictHttpParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Holds the client connection's one-pass decoder to the reference parser written from RFC 9112
 * ({@link StrictHttpParser}): for valid and mutated requests, fed in random pieces, the decoder accepts exactly what
 * the reference accepts, with the same method, target, fields and body, refuses what it refuses (with the same
 * status), and a head written back out from its index parses to the same request.
 */
class RequestCodecDifferentialTest {
    private static final String[] METHODS = {"GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "get",
        "G(T", "M-SEARCH"};
    private static final String[] TARGETS = {"/", "/a/b?c=d", "*", "http://h/x", "http://h", "/caf\u00e9", "/a b",
        "h:80", "//x", "/%41"};
    private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "http/1.1", "HTTP/1.1 ", "HTTP/1"};
    private static final String[] FIELDS = {"Host: h", "Host: h", "Host: h", "Accept: */*", "X-A:  spaced  ",
        "X-Empty:", "Cookie: a=b; c=d", "User-Agent: t/1.0 (x)", "Content-Length: 5", "Content-Length: 0",
        "Content-Length: 007", "Content-Length: 5, 5", "Transfer-Encoding: chunked", "Transfer-Encoding: gzip",
        "Connection: close", "Connection: keep-alive, x-a", "Host: other", "X-Obs: \u00e9t\u00e9", "Expect: 100-continue",
        " folded", "X-Tab:\tv", "Bad Name: v", "X-Ctl: a\u0001b", "NoColon", ": empty"};
    private static final Byte[] INSERTABLE = {' ', '\t', '\r', '\n', ':', ',', ';', '0', 'a', 0x00, 0x01, 0x0b, 0x7f,
        (byte) 0x80, (byte) 0xff, '"', '/'};

    @Property(tries = 3000)
    void acceptsExactlyWhatTheReferenceAccepts(@ForAll("requests") byte[] raw, @ForAll("pieces") int piece) {
        StrictHttpParser.Result expected = StrictHttpParser.parse(raw, StrictHttpParser.Side.CLIENT);
        Decoded got = decode(raw, piece);
        try {
            compare(raw, expected, got);
        } finally {
            ReferenceCountUtil.release(got.request);  // held past the channel's release to be compared
            got.request = null;
        }
    }

    private static void compare(byte[] raw, StrictHttpParser.Result expected, Decoded got) {
        if (expected instanceof StrictHttpParser.Unsure) {
            return;  // where the grammar leaves room, both answers are right
        }
        String shown = new String(raw, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n");
        if (expected instanceof StrictHttpParser.Complete complete) {
            StrictHttpParser.Request want = complete.request();
            assertThat(got.failure).as("refused, though the reference accepts: %s", shown).isNull();
            assertThat(got.request).as("decoded a request: %s", shown).isNotNull();
            assertThat(got.request.method().name()).isEqualTo(want.method());
            assertThat(got.request.uri()).isEqualTo(want.target());
            assertThat(got.request.protocolVersion().text()).isEqualTo(want.version());
            assertThat(fieldsOf(got.request)).as(shown).isEqualTo(want.fields());
            assertThat(got.bodyEnded).as("body ended: %s", shown).isTrue();
            assertThat(got.body.toByteArray()).as(shown).isEqualTo(want.body());
            assertWrittenBackParsesTheSame(got.request, want);
        } else if (expected instanceof StrictHttpParser.Invalid invalid) {
            assertThat(got.failure).as("accepted, though the reference refuses (%s): %s", invalid.reason(), shown)
                    .isNotNull();
            if (!(isVersionOrBadRequest(got.status) && isVersionOrBadRequest(invalid.status()))) {
                // A request line with a bad version and another fault may be named by either: 400 or 505 both hold.
                assertThat(got.status).as("status for %s (reference: %s)", shown, invalid.reason())
                        .isEqualTo(invalid.status());
            }
        } else {
            // Incomplete: no request whose end the reference has not seen; refused early only when no ending of
            // the head could make it acceptable (the decoder refuses as soon as it knows)
            if (got.failure != null) {
                for (String end : new String[] {"\n", "\r\n", "\n\r\n", "\r\n\r\n"}) {
                    byte[] ended = (new String(raw, StandardCharsets.ISO_8859_1) + end)
                            .getBytes(StandardCharsets.ISO_8859_1);
                    assertThat(StrictHttpParser.parse(ended, StrictHttpParser.Side.CLIENT))
                            .as("refused early, though the reference accepts it ended by %s: %s",
                                    end.replace("\r", "\\r").replace("\n", "\\n"), shown)
                            .isNotInstanceOf(StrictHttpParser.Complete.class);
                }
            }
            assertThat(got.bodyEnded).as("ended an unfinished request: %s", shown).isFalse();
        }
    }

    private static boolean isVersionOrBadRequest(int status) {
        return status == 400 || status == 505;
    }

    /** The head as the upstream encoder writes it: the request line, then the indexed lines, byte for byte. */
    private static void assertWrittenBackParsesTheSame(HttpRequest request, StrictHttpParser.Request want) {
        ByteBuf out = Unpooled.buffer();
        try {
            out.writeCharSequence(request.method().name() + " " + request.uri() + " "
                    + request.protocolVersion().text() + "\r\n", StandardCharsets.ISO_8859_1);
            ((ParsedRequest) request).indexedHeaders().writeTo(out);
            out.writeCharSequence("\r\n", StandardCharsets.ISO_8859_1);
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            StrictHttpParser.Result again = StrictHttpParser.parse(bytes, StrictHttpParser.Side.CLIENT);
            if (want.body().length > 0 || want.chunked()) {
                return;  // the head alone announces a body the bytes here do not carry
            }
            assertThat(again).isInstanceOf(StrictHttpParser.Complete.class);
            StrictHttpParser.Request back = ((StrictHttpParser.Complete) again).request();
            assertThat(back.fields()).isEqualTo(want.fields());
            assertThat(back.target()).isEqualTo(want.target());
        } finally {
            out.release();
        }
    }

    private static List<StrictHttpParser.Field> fieldsOf(HttpRequest request) {
        List<StrictHttpParser.Field> fields = new ArrayList<>();
        request.headers().forEach(e -> fields.add(new StrictHttpParser.Field(e.getKey(), e.getValue())));
        return fields;
    }

    private static final class Decoded {
        HttpRequest request;
        Throwable failure;
        int status;
        boolean bodyEnded;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
    }

    /** The first request the decoder makes of {@code raw}, fed in pieces of {@code piece} bytes. */
    private static Decoded decode(byte[] raw, int piece) {
        EmbeddedChannel ch = new EmbeddedChannel(new ServerCodec(8 * 1024, 64 * 1024));
        Decoded d = new Decoded();
        try {
            for (int i = 0; i < raw.length && d.failure == null && !d.bodyEnded; i += piece) {
                ch.writeInbound(Unpooled.wrappedBuffer(raw, i, Math.min(piece, raw.length - i)));
                HttpObject msg;
                while ((msg = ch.readInbound()) != null) {
                    try {
                        if (d.bodyEnded || d.failure != null) {
                            continue;  // the next request's: only the first is compared
                        }
                        if (msg.decoderResult().isFailure()) {
                            d.failure = msg.decoderResult().cause();
                            d.status = d.failure instanceof FramingViolation v ? v.status().code() : 400;
                        } else if (msg instanceof HttpRequest req) {
                            d.request = ReferenceCountUtil.retain(req);
                        }
                        if (msg instanceof HttpContent c && d.failure == null) {
                            byte[] b = new byte[c.content().readableBytes()];
                            c.content().getBytes(c.content().readerIndex(), b);
                            d.body.writeBytes(b);
                            d.bodyEnded = msg instanceof LastHttpContent;
                        }
                    } finally {
                        ReferenceCountUtil.release(msg);
                    }
                }
            }
        } finally {
            ch.finishAndReleaseAll();
        }
        return d;
    }

    @Provide
    Arbitrary<Integer> pieces() {
        return Arbitraries.oneOf(Arbitraries.just(100_000), Arbitraries.integers().between(1, 40));
    }

    @Provide
    Arbitrary<byte[]> requests() {
        Arbitrary<String> line = Combinators.combine(Arbitraries.of(METHODS), Arbitraries.of(TARGETS),
                Arbitraries.of(VERSIONS)).as((m, t, v) -> m + " " + t + " " + v);
        Arbitrary<List<String>> fields = Arbitraries.of(FIELDS).list().ofMinSize(0).ofMaxSize(6);
        Arbitrary<String> body = Arbitraries.of("", "hello", "5\r\nhello\r\n0\r\n\r\n",
                "3;x=y\r\nabc\r\n0\r\nX-T: 1\r\n\r\n", "5\r\nhelloX0\r\n\r\n", "0x5\r\nhello\r\n0\r\n\r\n");
        Arbitrary<byte[]> valid = Combinators.combine(Arbitraries.of("", "\r\n"), line, fields, body)
                .as((lead, l, f, b) -> (lead + l + "\r\n" + String.join("\r\n", f) + (f.isEmpty() ? "" : "\r\n")
                        + "\r\n" + b).getBytes(StandardCharsets.ISO_8859_1));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, valid),
                net.jqwik.api.Tuple.of(2, Combinators.combine(valid, Arbitraries.integers().between(0, 10_000),
                        Arbitraries.of(INSERTABLE)).as(RequestCodecDifferentialTest::insert)),
                net.jqwik.api.Tuple.of(1, Combinators.combine(valid, Arbitraries.integers().between(0, 10_000))
                        .as(RequestCodecDifferentialTest::delete)));
    }

    private static byte[] insert(byte[] raw, int at, byte b) {
        int i = at % (raw.length + 1);
        byte[] out = new byte[raw.length + 1];
        System.arraycopy(raw, 0, out, 0, i);
        out[i] = b;
        System.arraycopy(raw, i, out, i + 1, raw.length - i);
        return out;
    }

    private static byte[] delete(byte[] raw, int at) {
        if (raw.length == 0) {
            return raw;
        }
        int i = at % raw.length;
        byte[] out = new byte[raw.length - 1];
        System.arraycopy(raw, 0, out, 0, i);
        System.arraycopy(raw, i + 1, out, i, raw.length - i - 1);
        return out;
    }
}
