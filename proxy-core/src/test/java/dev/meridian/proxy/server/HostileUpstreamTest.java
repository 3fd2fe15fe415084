package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meridian.routing.EndpointState;
import dev.meridian.testing.EvilBackend;
import dev.meridian.testing.EvilBackend.Script;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile or broken upstreams: every broken response ends in a 502/504 with a reason when nothing was sent yet, or
 * in a closed client connection (never a truncated response passed off as complete) otherwise. The upstream
 * connection is never pooled again (the next request opens a new one), the endpoint is ejected by outlier detection,
 * and each failure is counted.
 *
 * <p>One endpoint per cluster, ejectable (always_eject_one; panic mode still routes to it, so the follow-up
 * request proves the connection was discarded), and retries off unless a test is about them.
 */
class HostileUpstreamTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(10);
    private static final String DEFAULT_TIMEOUTS = "connect: 2s, response_header: 2s, idle: 2s";
    private EvilBackend evil;
    private MeridianServer proxy;

    @BeforeEach
    void start() throws Exception {
        evil = EvilBackend.start("evil");
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        evil.close();
    }

    private void startProxy() throws InterruptedException {
        startProxy("", DEFAULT_TIMEOUTS, "retries: {max: 0}");
    }

    /** Extra pool keys (after a comma), the route's timeouts, and extra route keys. */
    private void startProxy(String pool, String timeouts, String route) throws InterruptedException {
        proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    pool: {idle_timeout: 30s%s}
                    outlier_detection: {always_eject_one: true}
                    endpoints:
                      - {id: evil, address: "%s", region: local}
                routes:
                  - cluster: app
                    timeouts: {%s}
                    %s
                """.formatted(pool, evil.address(), timeouts, route)), 1);
    }

    private RawHttpClient client() throws IOException {
        return new RawHttpClient(proxy.address());
    }

    private EndpointState endpoint() {
        return proxy.routing().current().cluster("app").endpoints().get(0);
    }

    private Response get(String path) throws IOException {
        try (RawHttpClient c = client()) {
            return c.get("a", path);
        }
    }

    /** The request answered 502 with a one-line reason that says what was wrong. */
    private void assertBadGateway(String path, String reason) throws IOException {
        Response r = get(path);
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.bodyText()).startsWith("meridian: 502 Bad Gateway: ").contains(reason);
    }

    /**
     * The broken connection was discarded (a fresh client's next request is served on a new connection, whole and
     * right) and the endpoint was ejected for it.
     */
    private void assertDiscardedAndEjected() throws IOException {
        await().pollInterval(POLL).atMost(WAIT).until(() -> evil.openConnections() == 0);
        int accepted = evil.connectionsAccepted();
        Response next = get("/next");
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.bodyText()).isEqualTo("/next");
        assertThat(evil.connectionsAccepted()).isEqualTo(accepted + 1);
        await().pollInterval(POLL).atMost(WAIT).until(() -> endpoint().health().ejectionCount() > 0);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Test
    void connectionNamingContentLengthCannotUnframeTheResponse() throws Exception {
        // Were Content-Length dropped as a hop-by-hop header, a keep-alive client would get a body with no end.
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 5\r\n\r\n"
                + "hello"));
        startProxy();
        try (RawHttpClient c = client()) {
            Response first = c.get("a", "/x");
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("content-length")).isEqualTo("5");
            assertThat(first.bodyText()).isEqualTo("hello");
            Response second = c.get("a", "/next");
            assertThat(second.bodyText()).isEqualTo("/next");
        }
    }

    // ---- malformed heads: 502 --------------------------------------------------------------------------------

    @Test
    void invalidStatusLineIs502() throws Exception {
        evil.on("/x", Script.respond("HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
        startProxy();
        assertBadGateway("/x", "endpoint 'evil' sent an invalid response: status line 'HTTP/2.0 200 OK' is not "
                + "HTTP/1.0 or HTTP/1.1");
        assertDiscardedAndEjected();
        assertThat(proxy.stats().upstreamMalformed.sum()).isEqualTo(1);
    }

    @Test
    void statusCodeOutOfRangeIs502() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 999 Whatever\r\nContent-Length: 2\r\n\r\nhi"));
        startProxy();
        assertBadGateway("/x", "status code 999 is outside 100-599");
        assertDiscardedAndEjected();
        assertThat(proxy.stats().upstreamMalformed.sum()).isEqualTo(1);
    }

    @Test
    void obfuscatedHeaderNameIs502() throws Exception {
        // Netty alone would read this as Content-Length: 2 (the name cut at the space).
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nContent-Length x: 2\r\nContent-Length: 5\r\n\r\nhello"));
        startProxy();
        assertBadGateway("/x", "whitespace in or after the header name 'Content-Length'");
        assertDiscardedAndEjected();
        assertThat(proxy.stats().upstreamMalformed.sum()).isEqualTo(1);
    }

    @Test
    void controlCharacterInHeaderValueIs502() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nX-Note: a\rb\r\nContent-Length: 2\r\n\r\nhi"));
        startProxy();
        assertBadGateway("/x", "control character in the value of header 'X-Note'");
        assertDiscardedAndEjected();
    }

    @Test
    void obsoleteLineFoldingIs502() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nX-Note: a\r\n folded\r\nContent-Length: 2\r\n\r\nhi"));
        startProxy();
        assertBadGateway("/x", "obsolete line folding");
        assertDiscardedAndEjected();
    }

    @Test
    void contentLengthWithTransferEncodingIs502() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n"));
        startProxy();
        assertBadGateway("/x", "both Content-Length and Transfer-Encoding");
        assertDiscardedAndEjected();
        assertThat(proxy.stats().upstreamMalformed.sum()).isEqualTo(1);
    }

    @Test
    void severalContentLengthsAre502() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi"));
        startProxy();
        assertBadGateway("/x", "several Content-Length headers");
        assertDiscardedAndEjected();
    }

    @Test
    void transferEncodingNotEndingInChunkedIs502() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nhi").close());
        startProxy();
        assertBadGateway("/x", "Transfer-Encoding 'chunked, gzip': only a single 'chunked' coding is relayed");
        assertDiscardedAndEjected();
    }

    @Test
    void unaskedProtocolSwitchIs502() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 101 Switching Protocols\r\nUpgrade: evil\r\nConnection: upgrade\r\n\r\n"
                + "raw bytes"));
        startProxy();
        assertBadGateway("/x", "101 Switching Protocols to a request that asked for no upgrade");
        assertDiscardedAndEjected();
    }

    @Test
    void oversizeResponseHeadersAre502() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(5000) + "\r\nContent-Length: 2\r\n\r\n"
                + "hi"));
        startProxy(", max_response_header_size: 4KiB", DEFAULT_TIMEOUTS, "retries: {max: 0}");
        assertBadGateway("/x", "response headers larger than 4096 bytes");
        assertDiscardedAndEjected();
        assertThat(proxy.stats().upstreamHeadersTooLarge.sum()).isEqualTo(1);
        assertThat(proxy.stats().upstreamMalformed.sum()).isZero();
    }

    @Test
    void headersTricklingPastTheHeaderTimeoutAre504() throws Exception {
        evil.on("/x", Script.empty().trickle("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
                Duration.ofMillis(30)));
        startProxy("", "response_header: 300ms", "retries: {max: 0}");
        Response r = get("/x");
        assertThat(r.status()).isEqualTo(504);
        assertThat(r.bodyText()).contains("endpoint 'evil' sent no response headers within 300 ms");
        assertDiscardedAndEjected();
        assertThat(proxy.stats().responseTimeouts.sum()).isEqualTo(1);
    }

    // ---- framing past or short of the announced end ----------------------------------------------------------

    @Test
    void bytesPastTheContentLengthNeverAnswerTheNextRequest() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"));
        startProxy();
        try (RawHttpClient c = client()) {
            // Pipelined: the next request waits in the proxy and takes the first free upstream connection the
            // moment the first response ends, while the extra bytes are still in the same read.
            c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\nGET /same-client HTTP/1.1\r\nHost: a\r\n\r\n");
            List<Response> both = c.readAll(2);
            assertThat(both.get(0).status()).isEqualTo(200);
            assertThat(both.get(0).bodyText()).isEqualTo("hello");  // whole as announced: the response was fine
            assertThat(both.get(1).bodyText()).isEqualTo("/same-client");
        }
        assertThat(evil.connectionsAccepted()).isEqualTo(2);  // the first connection was not reused
        await().pollInterval(POLL).atMost(WAIT).until(() -> endpoint().health().ejectionCount() > 0);
        assertThat(proxy.stats().upstreamOverruns.sum()).isEqualTo(1);
    }

    @Test
    void bytesArrivingLaterOnAnIdleConnectionCloseIt() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello").await(gate)
                .send("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"));
        startProxy();
        assertThat(get("/x").bodyText()).isEqualTo("hello");
        assertThat(evil.openConnections()).isEqualTo(1);  // pooled: the response ended where it said
        gate.complete(null);
        await().pollInterval(POLL).atMost(WAIT).until(() -> proxy.stats().upstreamOverruns.sum() == 1);
        assertDiscardedAndEjected();
    }

    @Test
    void bodyAfterA204IsAnOverrun() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 204 No Content\r\nContent-Length: 8\r\n\r\nsmuggled"));
        startProxy();
        assertThat(get("/x").status()).isEqualTo(204);
        assertDiscardedAndEjected();
        assertThat(proxy.stats().upstreamOverruns.sum()).isEqualTo(1);
    }

    @Test
    void responseShorterThanItsContentLengthClosesTheClientEarly() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789").close());
        startProxy();
        String text;
        try (RawHttpClient c = client()) {
            c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            text = text(c.readRemainingUntilClose());
        }
        assertThat(text).startsWith("HTTP/1.1 200 OK").contains("Content-Length: 100").endsWith("\r\n\r\n0123456789");
        assertDiscardedAndEjected();
        assertThat(proxy.stats().upstreamResets.sum()).isEqualTo(1);
    }

    @Test
    void chunkedResponseCutShortEndsWithoutTheLastChunk() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nab")
                .close());
        startProxy();
        String text;
        try (RawHttpClient c = client()) {
            c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            text = text(c.readRemainingUntilClose());
        }
        assertThat(text).startsWith("HTTP/1.1 200 OK").contains("transfer-encoding: chunked").contains("hello")
                .doesNotContain("\r\n0\r\n\r\n");
        assertDiscardedAndEjected();
    }

    @Test
    void invalidChunkMidBodyClosesTheClient() throws Exception {
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n"));
        startProxy();
        String text;
        try (RawHttpClient c = client()) {
            c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            text = text(c.readRemainingUntilClose());
        }
        assertThat(text).contains("hello").doesNotContain("\r\n0\r\n\r\n");
        assertDiscardedAndEjected();
        assertThat(proxy.stats().upstreamMalformed.sum()).isEqualTo(1);
    }

    // ---- resets ----------------------------------------------------------------------------------------------

    @Test
    void resetMidBodyClosesTheClient() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789").await(gate).reset());
        startProxy();
        try (Socket s = new Socket()) {
            s.connect(proxy.address());
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            assertThat(readUntil(in, "0123456789")).startsWith("HTTP/1.1 200 OK");  // streamed, then:
            gate.complete(null);
            assertThat(drain(in)).isEmpty();
        }
        assertDiscardedAndEjected();
        assertThat(proxy.stats().upstreamResets.sum()).isEqualTo(1);
    }

    @Test
    void resetMidCloseDelimitedBodyIsNotPassedOffAsComplete() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        // No length: the body ends at the close, so a reset must not read as that end.
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npartial").await(gate).reset());
        startProxy();
        try (Socket s = new Socket()) {
            s.connect(proxy.address());
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            assertThat(readUntil(in, "partial")).contains("transfer-encoding: chunked");
            gate.complete(null);
            assertThat(drain(in)).doesNotContain("0\r\n\r\n");
        }
        assertDiscardedAndEjected();
    }

    @Test
    void resetMidCloseDelimitedBodyResetsAnHttp10Client() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npartial").await(gate).reset());
        startProxy();
        try (Socket s = new Socket()) {
            s.connect(proxy.address());
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /x HTTP/1.0\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            readUntil(in, "partial");
            gate.complete(null);
            // This client learns the body's end from the close: only a reset tells it the body is not whole.
            assertThatThrownBy(() -> drain(in)).isInstanceOf(SocketException.class);
        }
    }

    // ---- trickles --------------------------------------------------------------------------------------------

    @Test
    void bodyTricklingBelowTheMinimumRateIsCutOff() throws Exception {
        // 1 byte per 20 ms: never silent for the 300 ms idle timeout, but 50 B/s against a minimum of 1 KiB/s.
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                .trickle("x".repeat(1000), Duration.ofMillis(20)));
        startProxy("", "idle: 300ms, min_response_rate: 1KiB/s", "retries: {max: 0}");
        long start = System.nanoTime();
        String text;
        try (RawHttpClient c = client()) {
            c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            text = text(c.readRemainingUntilClose());
        }
        assertThat(text).startsWith("HTTP/1.1 200 OK").contains("Content-Length: 1000");
        assertThat(text.length() - text.indexOf("\r\n\r\n") - 4).isLessThan(1000);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertDiscardedAndEjected();
        assertThat(proxy.stats().slowResponses.sum()).isEqualTo(1);
        assertThat(proxy.stats().responseTimeouts.sum()).isEqualTo(1);
    }

    @Test
    void bodyAboveTheMinimumRateIsRelayedWhole() throws Exception {
        // 600 bytes per 50 ms, 12 KB/s: slow next to loopback, fast next to the 1 KiB/s minimum.
        evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 6000\r\n\r\n")
                .paced("y".repeat(6000), 10, Duration.ofMillis(50)));
        startProxy("", "idle: 300ms, min_response_rate: 1KiB/s", "retries: {max: 0}");
        Response r = get("/x");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("y".repeat(6000));
        assertThat(proxy.stats().slowResponses.sum()).isZero();
        assertThat(evil.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void aZeroMinimumRateLeavesSparseStreamsToTheIdleTimeout() throws Exception {
        evil.on("/events", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n")
                .trickle("e".repeat(20), Duration.ofMillis(25)));
        startProxy("", "idle: 300ms, min_response_rate: 0B/s", "retries: {max: 0}");
        Response r = get("/events");
        assertThat(r.bodyText()).isEqualTo("e".repeat(20));
        assertThat(proxy.stats().responseTimeouts.sum()).isZero();
    }

    // ---- retries and reuse -----------------------------------------------------------------------------------

    @Test
    void malformedResponseToAnIdempotentRequestIsRetriedOnAnotherEndpoint() throws Exception {
        try (TestBackend good = TestBackend.start("good")) {
            evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi"));
            proxy = MeridianServer.start(TestConfigs.parse("""
                    clusters:
                      - name: app
                        endpoints:
                          - {id: evil, address: "%s", region: local}
                          - {id: good, address: "%s", region: local}
                    routes:
                      - cluster: app
                    """.formatted(evil.address(), good.address())), 1);
            Response r = get("/x");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-backend")).isEqualTo("good");
            assertThat(proxy.stats().retries.sum()).isEqualTo(1);
            assertThat(proxy.stats().upstreamMalformed.sum()).isEqualTo(1);
        }
    }

    @Test
    void malformedResponseToANonIdempotentRequestIsNotRetried() throws Exception {
        try (TestBackend good = TestBackend.start("good")) {
            evil.on("/x", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi"));
            proxy = MeridianServer.start(TestConfigs.parse("""
                    clusters:
                      - name: app
                        outlier_detection: {consecutive_gateway_failures: 0}
                        endpoints:
                          - {id: evil, address: "%s", region: local}
                          - {id: good, address: "%s", region: local}
                    routes:
                      - cluster: app
                    """.formatted(evil.address(), good.address())), 1);
            // The round robin sends one of two POSTs to each endpoint; the one evil broke is not sent again.
            int badGateways = 0;
            for (int i = 0; i < 2; i++) {
                try (RawHttpClient c = client()) {
                    c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
                    Response post = c.read();
                    if (post.status() == 502) {
                        badGateways++;
                        assertThat(post.bodyText()).contains("several Content-Length headers");
                    } else {
                        assertThat(post.header("x-backend")).isEqualTo("good");
                    }
                }
            }
            assertThat(badGateways).isEqualTo(1);
            assertThat(good.received()).hasSize(1);
            assertThat(proxy.stats().retries.sum()).isZero();
        }
    }

    @Test
    void malformedResponseOnAReusedConnectionIsNotRetriedAsAStaleRace() throws Exception {
        evil.on("/bad", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"));
        startProxy("", DEFAULT_TIMEOUTS, "");  // retries on: a close on a reused connection would be retried
        try (RawHttpClient c = client()) {
            assertThat(c.get("a", "/ok").status()).isEqualTo(200);
            Response r = c.get("a", "/bad");
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).contains("both Content-Length and Transfer-Encoding");
        }
        assertThat(proxy.stats().staleRetries.sum()).isZero();
        assertThat(evil.requestLines()).containsExactly("GET /ok HTTP/1.1", "GET /bad HTTP/1.1");
    }

    @Test
    void closeBeforeAnyByteOnAReusedConnectionIsStillRetriedAsAStaleRace() throws Exception {
        evil.on("/gone", Script.empty().close());
        startProxy();
        try (RawHttpClient c = client()) {
            assertThat(c.get("a", "/ok").status()).isEqualTo(200);
            assertThat(c.get("a", "/gone").status()).isEqualTo(502);
        }
        assertThat(proxy.stats().staleRetries.sum()).isEqualTo(1);
        assertThat(evil.requestLines()).containsExactly("GET /ok HTTP/1.1", "GET /gone HTTP/1.1",
                "GET /gone HTTP/1.1");
    }

    // ---- well-formed edge cases stay working ----------------------------------------------------------------

    @Test
    void headResponseWithALengthAndNoBodyKeepsTheConnection() throws Exception {
        evil.on("/h", Script.respond("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));
        startProxy();
        try (RawHttpClient c = client()) {
            c.send("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n");
            Response head = c.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("1000");
            assertThat(c.get("a", "/after").bodyText()).isEqualTo("/after");
        }
        assertThat(evil.connectionsAccepted()).isEqualTo(1);
        assertThat(proxy.stats().upstreamOverruns.sum()).isZero();
    }

    @Test
    void interimResponseBeforeTheFinalOneKeepsTheConnection() throws Exception {
        evil.on("/i", Script.respond("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n")
                .send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
        startProxy();
        try (RawHttpClient c = client()) {
            assertThat(c.get("a", "/i").bodyText()).isEqualTo("hi");
            assertThat(c.get("a", "/after").bodyText()).isEqualTo("/after");
        }
        assertThat(evil.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void statusLineWithoutAReasonPhraseIsAccepted() throws Exception {
        evil.on("/n", Script.respond("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nhi"));
        startProxy();
        assertThat(get("/n").bodyText()).isEqualTo("hi");
    }

    /** Reads until {@code marker} has arrived; returns all read. */
    private static String readUntil(InputStream in, String marker) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        while (!seen.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before '" + marker + "'; got: "
                        + seen.toString(StandardCharsets.ISO_8859_1));
            }
            seen.write(b);
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }

    /** Everything until the end of stream; a reset is thrown, as it is what some tests expect. */
    private static String drain(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}
