package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.MeridianConfig;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RecordingBackend;
import dev.meridian.testing.StrictHttpParser;
import dev.meridian.testing.TestConfigs;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known request smuggling and desync vectors, each sent on its own connection: each is refused (400, or 505 for a
 * version), the connection closes, and the recording backend saw no request from it (a chunked body that breaks
 * after its head may have reached the backend as an unfinished request, which the backend cannot act on). A few
 * look like smuggling and are not: they must go through as exactly one request.
 */
class SmugglingCorpusTest {
    private static final String POST = "POST / HTTP/1.1\r\nHost: a\r\n";
    private static final String CHUNKED_HELLO = "5\r\nhello\r\n0\r\n\r\n";
    /** What a desync would make the backend read as a second request. */
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

    private static RecordingBackend backend;
    private static MeridianServer proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = RecordingBackend.start();
        proxy = MeridianServer.start(config(backend), 1);
    }

    @AfterAll
    static void stop() throws IOException {
        proxy.close();
        backend.close();
    }

    @BeforeEach
    void clear() {
        backend.clear();
    }

    static MeridianConfig config(RecordingBackend backend) {
        return TestConfigs.parse("""
                clusters:
                  - name: app
                    endpoints:
                      - id: recorder
                        address: %s
                        region: local
                routes:
                  - name: all
                    cluster: app
                    timeouts:
                      connect: 2s
                      response_header: 5s
                      idle: 5s
                    retries:
                      max: 0
                      hedge:
                        enabled: false
                """.formatted(backend.address()));
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                // CL.TE and TE.CL: both framings at once (RFC 9112 §6.1)
                v("CL.TE", POST + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG"),
                v("TE.CL", POST + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n"),
                v("CL.TE with the smuggled request as body", POST + "Content-Length: " + (5 + SMUGGLED.length())
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
                // TE.TE: a Transfer-Encoding one parser honours and another ignores
                v("TE xchunked", POST + "Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n\r\nhello"),
                v("TE xchunked alone", POST + "Transfer-Encoding: xchunked\r\n\r\n" + CHUNKED_HELLO),
                v("TE 'chunked, identity'", POST + "Transfer-Encoding: chunked, identity\r\n\r\n" + CHUNKED_HELLO),
                v("TE 'identity, chunked'", POST + "Transfer-Encoding: identity, chunked\r\n\r\n" + CHUNKED_HELLO),
                v("TE 'gzip, chunked'", POST + "Transfer-Encoding: gzip, chunked\r\n\r\n" + CHUNKED_HELLO),
                v("TE identity", POST + "Transfer-Encoding: identity\r\n\r\nhello"),
                v("TE quoted", POST + "Transfer-Encoding: \"chunked\"\r\n\r\n" + CHUNKED_HELLO),
                v("TE chunked twice in one header", POST + "Transfer-Encoding: chunked, chunked\r\n\r\n"
                        + CHUNKED_HELLO),
                v("TE duplicated", POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + CHUNKED_HELLO),
                v("TE duplicated chunked then identity", POST + "Transfer-Encoding: chunked\r\n"
                        + "Transfer-Encoding: identity\r\n\r\n" + CHUNKED_HELLO),
                v("TE duplicated identity then chunked", POST + "Transfer-Encoding: identity\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n" + CHUNKED_HELLO),
                v("TE with vertical tab before value", POST + "Transfer-Encoding:\u000bchunked\r\n\r\n"
                        + CHUNKED_HELLO),
                v("TE with form feed before value", POST + "Transfer-Encoding:\fchunked\r\nContent-Length: 5\r\n\r\n"
                        + "hello"),
                v("TE with a space inside the value", POST + "Transfer-Encoding: chun ked\r\n\r\n" + CHUNKED_HELLO),
                v("TE name with trailing space", POST + "Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n"
                        + "hello"),
                v("TE name with trailing tab", POST + "Transfer-Encoding\t: chunked\r\n\r\n" + CHUNKED_HELLO),
                v("TE name with leading space (fold)", POST + " Transfer-Encoding: chunked\r\nContent-Length: 5"
                        + "\r\n\r\nhello"),
                v("TE value in obs-fold", POST + "Transfer-Encoding:\r\n chunked\r\nContent-Length: 5\r\n\r\nhello"),
                v("TE hidden in another header's fold", POST + "X-Pad: x\r\n Transfer-Encoding: chunked\r\n"
                        + "Content-Length: 5\r\n\r\nhello"),
                v("TE in HTTP/1.0", "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + CHUNKED_HELLO),
                // Content-Length that parsers read differently (RFC 9110 §8.6: 1*DIGIT, one value)
                v("CL plus sign", POST + "Content-Length: +5\r\n\r\nhello"),
                v("CL two numbers", POST + "Content-Length: 5 5\r\n\r\nhello"),
                v("CL hex", POST + "Content-Length: 0x5\r\n\r\nhello"),
                v("CL trailing junk", POST + "Content-Length: 5a\r\n\r\nhello"),
                v("CL negative", POST + "Content-Length: -1\r\n\r\nhello"),
                v("CL overflow", POST + "Content-Length: 18446744073709551621\r\n\r\nhello"),
                v("CL empty", POST + "Content-Length: \r\n\r\nhello"),
                v("CL list", POST + "Content-Length: 5, 5\r\n\r\nhello"),
                v("CL duplicated same", POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
                v("CL duplicated different", POST + "Content-Length: 0\r\nContent-Length: 5\r\n\r\nhello"),
                v("CL name with trailing space", POST + "Content-Length : 5\r\n\r\nhello"),
                // chunk-size tricks (RFC 9112 §7.1)
                v("chunk size 0x prefix", POST + "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"),
                v("chunk size negative", POST + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"),
                v("chunk size overflow", POST + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff5\r\nhello\r\n"
                        + "0\r\n\r\n"),
                v("chunk size leading space", POST + "Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n"),
                v("chunk size trailing space", POST + "Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n"),
                v("chunk extension with control char", POST + "Transfer-Encoding: chunked\r\n\r\n5;a\u0001b\r\n"
                        + "hello\r\n0\r\n\r\n"),
                v("chunk extension with bare LF", POST + "Transfer-Encoding: chunked\r\n\r\n5;a\nhello\r\n0\r\n\r\n"),
                v("chunk data without CRLF", POST + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX0\r\n\r\n"),
                v("chunk data longer than its size", POST + "Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n"
                        + "0\r\n\r\n"),
                v("chunk lines with LF only", POST + "Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n"),
                v("chunk size with bare CR", POST + "Transfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n"),
                // header name obfuscation and bad field values (RFC 9112 §5, RFC 9110 §5.5)
                v("space before colon", POST + "X-A : 1\r\nContent-Length: 0\r\n\r\n"),
                v("tab before colon", POST + "X-A\t: 1\r\nContent-Length: 0\r\n\r\n"),
                v("control char in name", POST + "Content\u0001Length: 5\r\n\r\nhello"),
                v("non-ASCII name", POST + "Cont\u00e9nt-Length: 5\r\n\r\nhello"),
                v("empty name", POST + ": 5\r\n\r\n"),
                v("line without colon", POST + "Content-Length 5\r\n\r\nhello"),
                v("NUL in value", POST + "X-A: a\u0000b\r\n\r\n"),
                v("DEL in value", POST + "X-A: a\u007fb\r\n\r\n"),
                v("bare CR in value", POST + "X-A: a\rb\r\n\r\n"),
                v("obs-fold", POST + "X-A: 1\r\n 2\r\n\r\n"),
                v("obs-fold with tab", POST + "X-A: 1\r\n\t2\r\n\r\n"),
                v("bare LF line ends", "GET / HTTP/1.1\nHost: a\n\n"),
                v("bare LF after headers", "GET / HTTP/1.1\r\nHost: a\r\n\n"),
                v("bare CR line end", "GET / HTTP/1.1\rHost: a\r\n\r\n"),
                // Host (RFC 9112 §3.2, RFC 9110 §7.2)
                v("Host missing", "GET / HTTP/1.1\r\n\r\n"),
                v("Host twice", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
                v("Host twice same", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"),
                v("Host with userinfo", "GET / HTTP/1.1\r\nHost: evil@a\r\n\r\n"),
                v("Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"),
                v("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"),
                v("absolute form disagrees with Host", "GET http://b/x HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("absolute form with userinfo", "GET http://a@b/x HTTP/1.1\r\nHost: b\r\n\r\n"),
                v("absolute form without authority", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("absolute form of another scheme", "GET ftp://a/x HTTP/1.1\r\nHost: a\r\n\r\n"),
                // request-line tricks (RFC 9112 §3)
                v("two spaces after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("two spaces before version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("tab separators", "GET\t/\tHTTP/1.1\r\nHost: a\r\n\r\n"),
                v("leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("lower-case method", "get / HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("mixed-case method", "Get / HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("method with parenthesis", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("method with at sign", "GE@T / HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("version with trailing junk", "GET / HTTP/1.1x\r\nHost: a\r\n\r\n"),
                v("version then another word", "GET / HTTP/1.1 x\r\nHost: a\r\n\r\n"),
                v("trailing space after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n"),
                v("lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n"),
                v("version with two-digit major", "GET / HTTP/10.1\r\nHost: a\r\n\r\n"),
                v("HTTP/0.9 request line", "GET /\r\n\r\n"),
                v("space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("control char in target", "GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("non-ASCII target", "GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("target without slash", "GET a HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("asterisk for GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n"),
                v("HTTP/2.0 in text", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
                v("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
                v("HTTP/3.0", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505));
    }

    private static Arguments v(String name, String raw) {
        return v(name, raw, 400);
    }

    private static Arguments v(String name, String raw, int status) {
        return Arguments.of(name, raw, status);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void isRefusedAndNothingReachesTheBackend(String name, String raw, int status) throws Exception {
        assertThat(StrictHttpParser.parse(raw.getBytes(StandardCharsets.ISO_8859_1),
                StrictHttpParser.Side.CLIENT)).as("the reference parser agrees it is not a request")
                .isNotInstanceOf(StrictHttpParser.Complete.class);
        long badRequestsBefore = proxy.stats().badRequests.sum();
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send(raw);
            RawHttpClient.Response r = readOrNull(c);
            if (r != null) {  // a grammar that yields no request at all may also end in a close
                assertThat(r.status()).as(r.bodyText()).isEqualTo(status);
                assertThat(r.bodyText()).startsWith("meridian: " + status).doesNotContain("\r").endsWith("\n")
                        .hasLineCount(1);
                assertThat(r.header("connection")).isEqualTo("close");
            }
            assertThat(c.isClosedByPeer()).as("connection closed").isTrue();
        }
        assertThat(proxy.stats().badRequests.sum()).as("counted as a bad request").isEqualTo(badRequestsBefore + 1);
        assertThat(backend.requests()).as("requests the backend received").isEmpty();
        assertThat(backend.violations()).as("malformed bytes the backend received").isEmpty();
    }

    @Test
    void aRefusedPipelinedRequestLeavesOnlyTheFirstOneForwardedOnce() throws Exception {
        String first = "GET /first HTTP/1.1\r\nHost: a\r\n\r\n";
        String smuggle = "POST /second HTTP/1.1\r\nHost: a\r\nContent-Length: " + (5 + SMUGGLED.length())
                + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED;
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send(first + smuggle);
            assertThat(c.read().status()).isEqualTo(200);
            RawHttpClient.Response refused = c.read();
            assertThat(refused.status()).isEqualTo(400);
            // The whole reason, not one cut before it says what the two framings were.
            assertThat(refused.bodyText()).contains("Content-Length").contains("Transfer-Encoding")
                    .doesNotContain("...");
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(backend.requests()).extracting(StrictHttpParser.Request::target).containsExactly("/first");
        assertThat(backend.violations()).isEmpty();
    }

    @Test
    void aBodyThatLooksLikeARequestIsOnlyABody() throws Exception {
        String body = SMUGGLED;
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send(POST + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            assertThat(c.read().status()).isEqualTo(200);
            c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        List<StrictHttpParser.Request> got = backend.requests();
        assertThat(got).extracting(StrictHttpParser.Request::target).containsExactly("/", "/next");
        assertThat(new String(got.get(0).body(), StandardCharsets.ISO_8859_1)).isEqualTo(body);
    }

    @Test
    void connectionCannotNameTheFramingAwayNorTheHost() throws Exception {
        // A proxy that removed what Connection names would send the body unframed: the backend would read it
        // as the next request.
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send(POST + "Connection: content-length, host, transfer-encoding\r\nContent-Length: "
                    + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED);
            assertThat(c.read().status()).isEqualTo(200);
        }
        assertThat(backend.requests()).hasSize(1);
        StrictHttpParser.Request got = backend.requests().get(0);
        assertThat(got.header("content-length")).isEqualTo(String.valueOf(SMUGGLED.length()));
        assertThat(got.header("host")).isEqualTo("a");
        assertThat(got.header("connection")).isNull();
        assertThat(backend.violations()).isEmpty();
    }

    @Test
    void legitimateVariantsPassWithFramingRewritten() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send(POST + "Content-Length: 005\r\n\r\nhello");  // leading zeros are still 1*DIGIT
            assertThat(c.read().status()).isEqualTo(200);
            c.send(POST + "Transfer-Encoding:\tCHUNKED \r\n\r\n" + CHUNKED_HELLO);  // OWS, case-insensitive
            assertThat(c.read().status()).isEqualTo(200);
            c.send("\r\nGET http://A/abs?q=1 HTTP/1.1\r\nHost: a\r\n\r\n");  // an empty line before, absolute form
            assertThat(c.read().status()).isEqualTo(200);
            c.send("GET http://a?q=2 HTTP/1.1\r\nHost: a\r\n\r\n");  // no path: the query is kept
            assertThat(c.read().status()).isEqualTo(200);
            c.send("GET / HTTP/1.0\r\n\r\n");  // HTTP/1.0 needs no Host
            assertThat(c.read().status()).isEqualTo(200);
        }
        List<StrictHttpParser.Request> got = backend.requests();
        assertThat(got).hasSize(5);
        assertThat(got.get(0).header("content-length")).isEqualTo("5");
        assertThat(got.get(1).header("transfer-encoding")).isEqualTo("chunked");
        assertThat(new String(got.get(1).body(), StandardCharsets.ISO_8859_1)).isEqualTo("hello");
        assertThat(got.get(2).target()).isEqualTo("/abs?q=1");
        assertThat(got.get(2).header("host")).isEqualTo("A");
        assertThat(got.get(3).target()).isEqualTo("/?q=2");
        assertThat(got).allSatisfy(r -> assertThat(r.version()).isEqualTo("HTTP/1.1"));
        assertThat(backend.violations()).isEmpty();
    }

    private static RawHttpClient.Response readOrNull(RawHttpClient c) throws IOException {
        try {
            return c.read();
        } catch (EOFException e) {
            return null;
        }
    }
}
