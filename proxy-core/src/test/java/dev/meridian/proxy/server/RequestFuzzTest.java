package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.LeakCheckExtension;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RecordingBackend;
import dev.meridian.testing.StrictHttpParser;
import dev.meridian.testing.StrictHttpParser.Complete;
import dev.meridian.testing.StrictHttpParser.Invalid;
import dev.meridian.testing.StrictHttpParser.Request;
import dev.meridian.testing.StrictHttpParser.Result;
import dev.meridian.testing.StrictHttpParser.Side;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Valid requests, mutated, sent to a live proxy over a real socket. Whatever the bytes, the exchange ends within a
 * bound in the response a reference parser ({@link StrictHttpParser}) says is owed, or a close; a client's fault is
 * never a 5xx (505 aside); nothing is logged as a warning or error; and the recording backend received only
 * well-formed requests, each exactly one the client sent (method, target, end-to-end headers, body).
 */
class RequestFuzzTest {
    private static final int READ_TIMEOUT_MILLIS = 3_000;
    private static final String HOST = "example.com";
    private static final byte[] INSERTABLE = {' ', '\t', '\r', '\n', ':', ',', ';', '0', '5', 'f', 'a', 'Z', 0x00,
        0x01, 0x0b, 0x0c, 0x7f, (byte) 0x80, (byte) 0xff, '"', '/', '@', '-', '_', '?'};
    private static final String[] FRAMING_LINES = {"Transfer-Encoding: chunked", "Content-Length: 0",
        "Content-Length: 5", "Transfer-Encoding: identity", "Transfer-Encoding: chunked, identity",
        "Transfer-Encoding: gzip, chunked", "Content-Length: 5, 5", "Content-Length: 007", "Host: other.example",
        "Connection: close", "Connection: content-length", " folded", "Expect: 100-continue"};
    private static final String[] EXTRA_HEADERS = {"Accept: */*", "X-Test: value", "User-Agent: fuzz/1.0",
        "Connection: keep-alive", "Cache-Control: no-cache", "Cookie: a=b; c=d", "X-Empty:"};
    private static final String PIPELINED = "GET /second HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";

    private static RecordingBackend backend;
    private static MeridianServer proxy;
    private static final List<String> logged = new CopyOnWriteArrayList<>();
    /** Everything logged while the property ran, including after a try's checks. */
    private static final List<String> loggedInAll = new CopyOnWriteArrayList<>();
    private static final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                String line = r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
                        + (r.getThrown() == null ? "" : " " + r.getThrown());
                logged.add(line);
                loggedInAll.add(line);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeContainer
    static void start() throws Exception {
        Logger.getLogger("").addHandler(capture);
        LeakCheckExtension.collectLeaks();
        backend = RecordingBackend.start();
        proxy = MeridianServer.start(SmugglingCorpusTest.config(backend), 1);
    }

    @AfterContainer
    static void stop() throws IOException {
        proxy.close();
        backend.close();
        Logger.getLogger("").removeHandler(capture);
        assertThat(loggedInAll).as("warnings and errors logged").isEmpty();
        assertThat(LeakCheckExtension.collectLeaks()).as("ByteBuf leaks").isEmpty();
    }

    @BeforeTry
    void clear() {
        backend.clear();
        logged.clear();
    }

    @Property(tries = 300, seed = "20261123", shrinking = ShrinkingMode.BOUNDED)
    void mutatedRequestsEndCleanlyAndOnlyWhatTheClientSaidReachesTheBackend(@ForAll("mutatedRequests") Case c)
            throws Exception {
        byte[] raw = c.bytes();
        Expectation expected = Expectation.of(raw);
        try (RawHttpClient client = new RawHttpClient(proxy.address())) {
            client.setReadTimeout(READ_TIMEOUT_MILLIS);
            client.send(raw);
            for (Request r : expected.requests) {
                RawHttpClient.Response response = readFinal(client);
                assertThat(response.status()).as("answer to the valid request %s %s: %s", r.method(), r.target(),
                        response.bodyText()).isEqualTo(200);
            }
            switch (expected.tail) {
                case END -> {
                    if (expected.closes) {
                        assertThat(client.isClosedByPeer()).as("closed after Connection: close").isTrue();
                    }
                }
                case INVALID -> {
                    RawHttpClient.Response refusal = readFinalOrNull(client);
                    if (refusal != null) {
                        assertThat(refusal.status()).as("refusal: %s", refusal.bodyText())
                                .isEqualTo(expected.invalidStatus == 505 ? 505 : 400);
                    }
                    assertThat(client.isClosedByPeer()).as("closed after the refusal").isTrue();
                }
                case UNSURE -> {
                    RawHttpClient.Response answer = readFinalOrNull(client);
                    if (answer != null) {
                        assertThat(answer.status()).as("answer: %s", answer.bodyText())
                                .satisfiesAnyOf(s -> assertThat(s).isBetween(200, 499), s -> assertThat(s).isEqualTo(505));
                    }
                }
                case INCOMPLETE -> {
                    // the client has not finished its request: there is nothing to wait for
                }
            }
        }
        List<Request> got = backend.requests();
        if (expected.tail == Tail.END || expected.tail == Tail.INVALID) {
            assertThat(got).as("requests the backend received").hasSize(expected.requests.size());
        } else {
            assertThat(got.size()).as("requests the backend received").isGreaterThanOrEqualTo(expected.requests.size());
        }
        for (int i = 0; i < expected.requests.size(); i++) {
            assertSameRequest(got.get(i), expected.requests.get(i));
        }
        assertThat(backend.violations()).as("malformed bytes the backend received").isEmpty();
        assertThat(logged).as("warnings and errors logged").isEmpty();
    }

    private static void assertSameRequest(Request got, Request sent) {
        assertThat(got.method()).isEqualTo(sent.method());
        assertThat(got.target()).isEqualTo(sent.originTarget());
        assertThat(got.version()).isEqualTo("HTTP/1.1");
        assertThat(got.header("host")).isEqualTo(sent.host() == null ? "" : sent.host());
        assertThat(got.endToEndFields()).as("end-to-end fields").isEqualTo(sent.endToEndFields());
        assertThat(got.body()).as("body").isEqualTo(sent.body());
    }

    /** The next final response: a {@code 100 Continue} before it answers no request by itself. */
    private static RawHttpClient.Response readFinal(RawHttpClient c) throws IOException {
        RawHttpClient.Response r = c.read();
        while (r.status() < 200) {
            r = c.read();
        }
        return r;
    }

    private static RawHttpClient.Response readFinalOrNull(RawHttpClient c) throws IOException {
        try {
            return readFinal(c);
        } catch (EOFException | SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            return null;  // reset: the proxy closed with bytes of the refused request still unread
        }
    }

    // ---- what the proxy owes the client, by the reference parser ---------------------------------------------

    enum Tail { END, INVALID, INCOMPLETE, UNSURE }

    /** The requests a correct proxy answers 200 and forwards, and how the bytes after them end. */
    record Expectation(List<Request> requests, Tail tail, int invalidStatus, boolean closes) {
        static Expectation of(byte[] raw) {
            List<Request> requests = new ArrayList<>();
            int pos = 0;
            while (pos < raw.length) {
                Result r = StrictHttpParser.parse(raw, pos, raw.length, Side.CLIENT);
                if (r instanceof Complete done) {
                    requests.add(done.request());
                    pos = done.end();
                    if (done.request().closesConnection()) {
                        return new Expectation(requests, Tail.END, 0, true);
                    }
                } else if (r instanceof Invalid bad) {
                    // A head that never ends may be refused at once or when it ends: the client still owes bytes.
                    boolean headEnds = new String(raw, pos, raw.length - pos, StandardCharsets.ISO_8859_1)
                            .contains("\r\n\r\n");
                    return new Expectation(requests, headEnds ? Tail.INVALID : Tail.INCOMPLETE, bad.status(), true);
                } else if (r instanceof StrictHttpParser.Incomplete) {
                    return new Expectation(requests, Tail.INCOMPLETE, 0, false);
                } else {
                    return new Expectation(requests, Tail.UNSURE, 0, false);
                }
            }
            return new Expectation(requests, Tail.END, 0, false);
        }
    }

    // ---- generation ------------------------------------------------------------------------------------------

    /** A valid request and the mutations made to it. */
    record Case(String base, List<Mutation> mutations) {
        byte[] bytes() {
            byte[] b = base.getBytes(StandardCharsets.ISO_8859_1);
            for (Mutation m : mutations) {
                b = m.apply(b);
            }
            return b;
        }

        @Override
        public String toString() {
            return new String(bytes(), StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n")
                    .replace("\t", "\\t") + "  <- " + mutations;
        }
    }

    enum Kind { INSERT, DELETE, DUPLICATE, FLIP_CASE, SWAP_SEPARATOR, FRAMING_HEADER, PIPELINE }

    record Mutation(Kind kind, double at, int value) {
        byte[] apply(byte[] in) {
            int n = in.length;
            int p = Math.min(n, (int) (at * n));
            ByteArrayOutputStream out = new ByteArrayOutputStream(n + 64);
            switch (kind) {
                case INSERT -> {
                    out.write(in, 0, p);
                    out.write(INSERTABLE[value % INSERTABLE.length]);
                    out.write(in, p, n - p);
                }
                case DELETE -> {
                    int len = Math.min(1 + value % 3, n - p);
                    out.write(in, 0, p);
                    out.write(in, p + len, n - p - len);
                }
                case DUPLICATE -> {
                    int len = Math.min(1 + value % 40, n - p);
                    out.write(in, 0, p + len);
                    out.write(in, p, n - p);
                }
                case FLIP_CASE -> {
                    byte[] copy = in.clone();
                    for (int i = p; i < n; i++) {
                        if (Character.isLetter(copy[i] & 0xff) && copy[i] > 0) {
                            copy[i] ^= 0x20;
                            break;
                        }
                    }
                    return copy;
                }
                case SWAP_SEPARATOR -> {
                    return swapSeparator(in, p);
                }
                case FRAMING_HEADER -> {
                    int at = lineStartInHead(in, this.at);
                    out.write(in, 0, at);
                    out.writeBytes((FRAMING_LINES[value % FRAMING_LINES.length] + "\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(in, at, n - at);
                }
                case PIPELINE -> {
                    out.write(in, 0, n);
                    out.writeBytes(PIPELINED.getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            return out.toByteArray();
        }

        /** The first separator at or after {@code p}, swapped: CRLF to LF, LF to CRLF, SP and HTAB, ':' to " :". */
        private static byte[] swapSeparator(byte[] in, int p) {
            for (int i = p; i < in.length; i++) {
                byte b = in[i];
                ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 1);
                if (b == '\r' && i + 1 < in.length && in[i + 1] == '\n') {
                    out.write(in, 0, i);
                    out.write(in, i + 1, in.length - i - 1);
                } else if (b == '\n') {
                    out.write(in, 0, i);
                    out.write('\r');
                    out.write(in, i, in.length - i);
                } else if (b == ' ' || b == '\t') {
                    byte[] copy = in.clone();
                    copy[i] = (byte) (b == ' ' ? '\t' : ' ');
                    return copy;
                } else if (b == ':') {
                    out.write(in, 0, i);
                    out.write(' ');
                    out.write(in, i, in.length - i);
                } else {
                    continue;
                }
                return out.toByteArray();
            }
            return in;
        }

        /** The start of a header line of the head (after the request line), chosen by {@code at}. */
        private static int lineStartInHead(byte[] in, double at) {
            List<Integer> starts = new ArrayList<>();
            for (int i = indexOf(in, (byte) '\n', 0); i >= 0; i = indexOf(in, (byte) '\n', i + 1)) {
                starts.add(i + 1);
                if (i + 2 < in.length && in[i + 1] == '\r' && in[i + 2] == '\n') {
                    break;  // the empty line: the head ends here
                }
            }
            return starts.isEmpty() ? in.length : starts.get(Math.min(starts.size() - 1, (int) (at * starts.size())));
        }

        private static int indexOf(byte[] in, byte b, int from) {
            for (int i = from; i < in.length; i++) {
                if (in[i] == b) {
                    return i;
                }
            }
            return -1;
        }
    }

    @Provide
    Arbitrary<Case> mutatedRequests() {
        Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.of(Kind.class),
                Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(0, 1000)).as(Mutation::new);
        return Combinators.combine(validRequests(), mutation.list().ofMinSize(1).ofMaxSize(4)).as(Case::new);
    }

    private static Arbitrary<String> validRequests() {
        Arbitrary<String> path = Arbitraries.strings().withChars("abcxyz019-_.~%").ofMaxLength(10)
                .map(s -> "/" + s.replace("%", "%25"));
        Arbitrary<String> query = Arbitraries.strings().withChars("abc=&019").ofMaxLength(8)
                .map(s -> s.isEmpty() ? "" : "?" + s);
        Arbitrary<String> headers = Arbitraries.of(EXTRA_HEADERS).list().ofMaxSize(3)
                .map(l -> String.join("", l.stream().map(h -> h + "\r\n").toList()));
        Arbitrary<String> body = Arbitraries.strings().withChars("abcdefghij0123456789 ").ofMaxLength(16);
        Arbitrary<String> get = Combinators.combine(path, query, headers)
                .as((p, q, h) -> "GET " + p + q + " HTTP/1.1\r\nHost: " + HOST + "\r\n" + h + "\r\n");
        Arbitrary<String> postWithLength = Combinators.combine(path, headers, body)
                .as((p, h, b) -> "POST " + p + " HTTP/1.1\r\nHost: " + HOST + "\r\n" + h + "Content-Length: "
                        + b.length() + "\r\n\r\n" + b);
        Arbitrary<String> postChunked = Combinators.combine(path, headers, body.filter(b -> !b.isEmpty())
                        .list().ofMinSize(1).ofMaxSize(3))
                .as((p, h, chunks) -> {
                    StringBuilder sb = new StringBuilder("POST " + p + " HTTP/1.1\r\nHost: " + HOST + "\r\n" + h
                            + "Transfer-Encoding: chunked\r\n\r\n");
                    for (String chunk : chunks) {
                        sb.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
                    }
                    return sb.append("0\r\n\r\n").toString();
                });
        return Arbitraries.oneOf(get, postWithLength, postChunked);
    }
}
