package dev.meridian.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.StrictHttpParser.Field;
import dev.meridian.testing.StrictResponseParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link ResponseDecoder} against {@link StrictResponseParser}, the reference written from the grammar: random and
 * mutated responses are accepted by one exactly when by the other, with the same status, header fields, body,
 * trailers and end, fed whole or split at random points, from heap or direct buffers.
 */
class ResponseDecoderDifferentialTest {
    private static final String[] BAD_STATUS_LINES = {
        "HTTP/2.0 200 OK", "http/1.1 200 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 20x OK", "HTTP/1.1  200 OK",
        "HTTP/1.1 101 Switching Protocols", "HTTP/1.1 099 Low", "HTTP/1.1 600 High", "ICY 200 OK", "HTTP/1.1 200\tOK",
        "HTTP/1.1 200 O\u0000K", "HTTP/1.1 20", "HTTP/1.2 200 OK", "HTTP/1.1 200 OK\u007f",
    };
    private static final String[] COMMON_FIELDS = {
        "Content-Type: text/plain", "content-type: application/json; charset=utf-8",
        "Date: Mon, 07 Dec 2026 01:10:00 GMT", "Server:  nginx  ", "X-Empty:", "X-Tab:\tvalue\t", "Vary: Accept",
        "Set-Cookie: a=b; Path=/", "X-Latin: caf\u00e9", "ETag: \"abc\"", "Connection: keep-alive", "Connection: close",
        "Cache-Control: no-cache", "X-Request-Id: 42",
    };
    private static final String[] BAD_FIELDS = {
        " folded", "\tfolded", "Content-Length : 2", "Transfer-Encoding x: chunked", "Na me: v", "NoColon",
        ": empty", "A\"B: c", "X: a\rb", "X: a\u007f", "X: a\u0000", "X:\u0001",
    };
    private static final String[] ODD_FRAMING = {
        "Content-Length: 007", "Content-Length: 0", "Content-Length: +2", "Content-Length: 2, 2",
        "Content-Length: 99999999999999999999", "Content-Length:", "Transfer-Encoding: Chunked",
        "Transfer-Encoding: gzip, chunked", "Transfer-Encoding: chunked, gzip", "Transfer-Encoding:",
        "Transfer-Encoding: xchunked", "Content-Length: 2\r\nContent-Length: 2",
        "Content-Length: 2\r\nTransfer-Encoding: chunked", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
    };
    private static final String[] EXTENSIONS = {"", "", "", "", "", "", ";a=b", " ;x", ";q=\"v w\"", "  ", ";", "\t;a",
        " x", ";a\u0000", ";\u007f", "x", ";a\rb", "\r"};
    private static final String[] TRAILERS = {"X-Checksum: 1", "Content-Length: 5", "Trailer: x", "x-y:  z "};
    private static final String[] AFTER = {"", "", "", "", "HTTP/1.1 200 OK\r\n\r\n", "x"};
    private static final String[] INTERIM = {"", "", "", "HTTP/1.1 100 Continue\r\n\r\n",
        "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"};
    private static final byte[] INTERESTING = " \t\r\n:;0aZ\"\u0000\u007f\u00e9".getBytes(StandardCharsets.ISO_8859_1);

    enum Framing { LENGTH, CHUNKED, NONE, ODD }

    enum MutationKind { REPLACE, INSERT, DELETE }

    record Mutation(MutationKind kind, double at, int b) {
    }

    /** One generated exchange: the response bytes, what the request was, the header limit, and how it arrives. */
    record Case(byte[] bytes, boolean headRequest, int maxHeaderBytes, List<Integer> cuts, boolean direct) {
        @Override
        public String toString() {
            return (headRequest ? "HEAD " : "GET ") + maxHeaderBytes + " " + cuts + (direct ? " direct " : " heap ")
                    + escape(bytes);
        }
    }

    /** What came out of the decoder. */
    record Decoded(List<Message> messages, boolean refused, boolean tooLarge, String problem, boolean overran,
                   boolean clean) {
    }

    record Message(String version, int status, String reason, List<Field> fields, byte[] body, List<Field> trailers,
                   boolean ended) {
    }

    @Property(tries = 3000, seed = "20261207", shrinking = ShrinkingMode.BOUNDED)
    void wholeResponsesAreDecodedExactlyAsTheReferenceParsesThem(@ForAll("cases") Case c) {
        StrictResponseParser.Result expected =
                StrictResponseParser.parse(c.bytes(), c.headRequest(), c.maxHeaderBytes(), true);
        Decoded decoded = decode(c.bytes(), List.of(), c.direct(), c);
        Statistics.label("reference").collect(expected.getClass().getSimpleName());
        Statistics.label("refused for").collect(expected instanceof StrictResponseParser.Invalid i
                ? i.reason().replaceAll("[0-9]+", "N") : "-");
        assertAgrees(c, expected, decoded, true);
    }

    @Property(tries = 3000, seed = "20261208", shrinking = ShrinkingMode.BOUNDED)
    void responsesSplitAnywhereAreDecodedAsWhenWhole(@ForAll("cases") Case c) {
        StrictResponseParser.Result expected =
                StrictResponseParser.parse(c.bytes(), c.headRequest(), c.maxHeaderBytes(), true);
        Decoded split = decode(c.bytes(), c.cuts(), c.direct(), c);
        // Split, a line may pass the size limit before its bare LF arrives: refused either way, for another reason.
        assertAgrees(c, expected, split, false);
        Decoded whole = decode(c.bytes(), List.of(), !c.direct(), c);
        if (!whole.refused()) {
            assertThat(split.messages()).as("%s", c).usingRecursiveFieldByFieldElementComparator()
                    .isEqualTo(whole.messages());
        }
    }

    private static void assertAgrees(Case c, StrictResponseParser.Result expected, Decoded decoded,
                                     boolean sameSizeVerdict) {
        String about = c + "\nreference: " + expected + "\ndecoder: " + decoded;
        if (expected instanceof StrictResponseParser.Invalid invalid) {
            assertThat(decoded.refused()).as("refused: %s", about).isTrue();
            if (sameSizeVerdict) {
                assertThat(decoded.tooLarge()).as("too large: %s", about).isEqualTo(invalid.tooLarge());
            }
            assertThat(decoded.clean()).as(about).isFalse();
            return;
        }
        assertThat(decoded.refused()).as("not refused: %s", about).isFalse();
        if (expected instanceof StrictResponseParser.Incomplete) {
            assertThat(decoded.messages().stream().anyMatch(m -> m.ended() && m.status() >= 200))
                    .as("no final end: %s", about).isFalse();
            assertThat(decoded.clean()).as(about).isFalse();
            return;
        }
        StrictResponseParser.Complete complete = (StrictResponseParser.Complete) expected;
        List<StrictResponseParser.Response> responses = complete.responses();
        assertThat(decoded.messages()).as("messages: %s", about).hasSize(responses.size());
        for (int i = 0; i < responses.size(); i++) {
            StrictResponseParser.Response r = responses.get(i);
            Message m = decoded.messages().get(i);
            boolean bodyless = r.status() < 200 || r.status() == 204 || r.status() == 304 || c.headRequest();
            assertThat(m.version()).as(about).isEqualTo(r.version());
            assertThat(m.status()).as(about).isEqualTo(r.status());
            assertThat(m.reason()).as(about).isEqualTo(r.reason());
            assertThat(m.fields()).as("fields: %s", about).isEqualTo(relayedFields(r, bodyless));
            assertThat(m.body()).as("body: %s", about).isEqualTo(r.body());
            assertThat(m.trailers()).as("trailers: %s", about).isEqualTo(relayedTrailers(r));
            assertThat(m.ended()).as(about).isTrue();
        }
        boolean overran = complete.end() < c.bytes().length;
        assertThat(decoded.overran()).as("overran: %s", about).isEqualTo(overran);
        assertThat(decoded.clean()).as("clean: %s", about).isEqualTo(!overran);
    }

    /**
     * The fields as the decoder hands them on, as Netty's did: without Transfer-Encoding when there is no body, and
     * with a Content-Length's leading zeros gone.
     */
    private static List<Field> relayedFields(StrictResponseParser.Response r, boolean bodyless) {
        List<Field> out = new ArrayList<>();
        for (Field f : r.fields()) {
            if (bodyless && f.name().equalsIgnoreCase("transfer-encoding")) {
                continue;
            }
            if (f.name().equalsIgnoreCase("content-length") && f.value().length() > 1 && f.value().startsWith("0")) {
                out.add(new Field(f.name(), Long.toString(Long.parseLong(f.value()))));
            } else {
                out.add(f);
            }
        }
        return out;
    }

    /** Framing fields have no place in trailers: dropped. */
    private static List<Field> relayedTrailers(StrictResponseParser.Response r) {
        return r.trailers().stream().filter(f -> !f.name().equalsIgnoreCase("content-length")
                && !f.name().equalsIgnoreCase("transfer-encoding") && !f.name().equalsIgnoreCase("trailer")).toList();
    }

    private static Decoded decode(byte[] bytes, List<Integer> cuts, boolean direct, Case c) {
        AtomicInteger unasked = new AtomicInteger();
        ResponseDecoder decoder = new ResponseDecoder(c.maxHeaderBytes(), unasked::incrementAndGet);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        decoder.requestSent(c.headRequest() ? HttpMethod.HEAD : HttpMethod.GET);
        TreeSet<Integer> ends = new TreeSet<>();
        for (int cut : cuts) {
            if (cut > 0 && cut < bytes.length) {
                ends.add(cut);
            }
        }
        ends.add(bytes.length);
        int from = 0;
        for (int end : ends) {
            if (end > from) {
                ByteBuf piece = direct ? Unpooled.directBuffer(end - from) : Unpooled.buffer(end - from);
                channel.writeInbound(piece.writeBytes(bytes, from, end - from));
            }
            from = end;
        }
        channel.finish();
        List<Message> messages = new ArrayList<>();
        boolean refused = false;
        boolean tooLarge = false;
        String problem = null;
        MessageBuilder current = null;
        Object o;
        while ((o = channel.readInbound()) != null) {
            try {
                HttpObject h = (HttpObject) o;
                if (h.decoderResult().isFailure()) {
                    InvalidResponseException why = (InvalidResponseException) h.decoderResult().cause();
                    refused = true;
                    tooLarge = why.tooLarge();
                    problem = why.getMessage();
                    continue;
                }
                if (h instanceof HttpResponse response) {
                    current = new MessageBuilder(response);
                }
                if (h instanceof HttpContent content) {
                    current.body.writeBytes(ByteBufUtil.getBytes(content.content()));
                }
                if (h instanceof LastHttpContent last) {
                    messages.add(current.end(fields(last.trailingHeaders())));
                    current = null;
                }
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        if (current != null) {
            messages.add(current.unfinished());
        }
        return new Decoded(messages, refused, tooLarge, problem, decoder.overran(), decoder.clean());
    }

    /** What the head said, read when it arrives: the decoder's head is released as soon as it was looked at. */
    private static final class MessageBuilder {
        final String version;
        final int status;
        final String reason;
        final List<Field> fields;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        MessageBuilder(HttpResponse response) {
            version = response.protocolVersion().text();
            status = response.status().code();
            reason = response.status().reasonPhrase();
            fields = fields(response.headers());
        }

        Message end(List<Field> trailers) {
            return new Message(version, status, reason, fields, body.toByteArray(), trailers, true);
        }

        Message unfinished() {
            Message m = end(List.of());
            return new Message(m.version(), m.status(), m.reason(), m.fields(), m.body(), m.trailers(), false);
        }
    }

    private static List<Field> fields(HttpHeaders headers) {
        List<Field> out = new ArrayList<>();
        var it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            out.add(new Field(e.getKey().toString(), e.getValue().toString()));
        }
        return out;
    }

    // ---- generators ------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<byte[]> bytes = Combinators.combine(Arbitraries.of(INTERIM), statusLines(), fieldLines(),
                framings(), bodies(), chunkSizes(), Arbitraries.of(AFTER), mutations())
                .as(ResponseDecoderDifferentialTest::response);
        Arbitrary<Integer> max = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(4096)), Tuple.of(1, Arbitraries.integers()
                        .between(16, 200)));
        Arbitrary<List<Integer>> cuts = Arbitraries.integers().between(1, 400).list().ofMaxSize(6);
        return Combinators.combine(bytes, Arbitraries.integers().between(0, 9).map(n -> n == 0), max, cuts,
                Arbitraries.of(true, false)).as(Case::new);
    }

    private static Arbitrary<String> statusLines() {
        Arbitrary<Integer> codes = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(200, 200, 201, 204, 304, 404, 500, 503)),
                Tuple.of(2, Arbitraries.integers().between(100, 599).filter(code -> code != 101)));
        Arbitrary<String> versions = Arbitraries.of("HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0");
        Arbitrary<String> good = Combinators.combine(versions, codes,
                Arbitraries.of("", " ", " OK", " Not Found", " caf\u00e9", "  spaced  ", " a\tb", " No Content"))
                .as((version, code, reason) -> version + " " + code + reason);
        return Arbitraries.frequencyOf(Tuple.of(19, good),
                Tuple.of(1, Arbitraries.of(BAD_STATUS_LINES)));
    }

    private static Arbitrary<List<String>> fieldLines() {
        Arbitrary<String> random = Combinators.combine(
                Arbitraries.strings().withChars("abcXYZ019-_!#$%&'*+.^`|~").ofMinLength(1).ofMaxLength(12),
                Arbitraries.of("", " ", "  ", "\t"),
                Arbitraries.strings().withChars("abc xyz=;,/\t\"\u00e9\u00ff019").ofMaxLength(20),
                Arbitraries.of("", " ", "\t"))
                .as((name, before, value, after) -> name + ":" + before + value + after);
        return Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.of(COMMON_FIELDS)), Tuple.of(6, random),
                Tuple.of(1, Arbitraries.of(BAD_FIELDS))).list().ofMaxSize(8);
    }

    private static Arbitrary<Framing> framings() {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(Framing.LENGTH)),
                Tuple.of(3, Arbitraries.just(Framing.CHUNKED)), Tuple.of(1, Arbitraries.just(Framing.NONE)),
                Tuple.of(1, Arbitraries.just(Framing.ODD)));
    }

    private static Arbitrary<String> bodies() {
        return Arbitraries.strings().withChars("abcdefghij0123456789 \r\n;").ofMaxLength(40);
    }

    private static Arbitrary<List<Integer>> chunkSizes() {
        return Arbitraries.integers().between(1, 20).list().ofMaxSize(4);
    }

    private static Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one = Combinators.combine(Arbitraries.of(MutationKind.class),
                Arbitraries.doubles().between(0, 1).withoutEdgeCases(),
                Arbitraries.integers().between(0, INTERESTING.length - 1))
                .as(Mutation::new);
        return Arbitraries.frequencyOf(Tuple.of(7, Arbitraries.just(List.<Mutation>of())),
                Tuple.of(3, one.list().ofMinSize(1).ofMaxSize(3)));
    }

    private static byte[] response(String interim, String statusLine, List<String> fields, Framing framing,
                                   String body, List<Integer> chunkSizes, String after, List<Mutation> mutations) {
        StringBuilder sb = new StringBuilder(interim).append(statusLine).append("\r\n");
        for (String f : fields) {
            sb.append(f).append("\r\n");
        }
        int seed = body.length() + chunkSizes.size() + fields.size();
        switch (framing) {
            case LENGTH -> sb.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
            case NONE -> sb.append("\r\n").append(body);
            case ODD -> sb.append(ODD_FRAMING[seed % ODD_FRAMING.length]).append("\r\n\r\n").append(body);
            case CHUNKED -> {
                sb.append("Transfer-Encoding: chunked\r\n\r\n");
                int at = 0;
                for (int size : chunkSizes) {
                    int n = Math.min(size, body.length() - at);
                    if (n <= 0) {
                        break;
                    }
                    sb.append(Integer.toHexString(n)).append(EXTENSIONS[(at + n) % EXTENSIONS.length]).append("\r\n")
                            .append(body, at, at + n).append("\r\n");
                    at += n;
                }
                sb.append("0").append(EXTENSIONS[seed % EXTENSIONS.length]).append("\r\n");
                for (int i = 0; i < seed % 3; i++) {
                    sb.append(TRAILERS[(seed + i) % TRAILERS.length]).append("\r\n");
                }
                sb.append("\r\n");
            }
            default -> throw new IllegalStateException();
        }
        sb.append(after);
        byte[] bytes = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        for (Mutation m : mutations) {
            bytes = mutate(bytes, m);
        }
        return bytes;
    }

    private static byte[] mutate(byte[] bytes, Mutation m) {
        int at = (int) (m.at() * bytes.length);
        byte b = INTERESTING[m.b()];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, Math.min(at, bytes.length));
        switch (m.kind()) {
            case REPLACE -> {
                if (at < bytes.length) {
                    out.write(b);
                    at++;
                }
            }
            case INSERT -> out.write(b);
            case DELETE -> at++;
            default -> throw new IllegalStateException();
        }
        if (at < bytes.length) {
            out.write(bytes, at, bytes.length - at);
        }
        return out.toByteArray();
    }

    private static String escape(byte[] bytes) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c == '"' || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.append('"').toString();
    }
}
