package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProxyBasicsTest {
    private TestBackend backend;
    private MeridianServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start("b1");
        proxy = MeridianServer.start(TestConfigs.oneCluster(backend), 2);
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    private RawHttpClient client() throws Exception {
        return new RawHttpClient(proxy.address());
    }

    @Test
    void getIsProxiedWithTheBackendsAnswer() throws Exception {
        try (RawHttpClient c = client()) {
            Response r = c.get("example.com", "/hello?x=1");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("b1 GET /hello?x=1 bytes=0 crc=0");
            assertThat(r.header("x-backend")).isEqualTo("b1");
            assertThat(r.header("via")).isEqualTo("1.1 meridian");
        }
        assertThat(proxy.stats().proxied.sum()).isEqualTo(1);
    }

    @Test
    void headGetsHeadersAndNoBody() throws Exception {
        try (RawHttpClient c = client()) {
            c.send("HEAD /chunked/3 HTTP/1.1\r\nHost: a\r\n\r\n");
            Response r = c.read(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEmpty();
            // The connection is still in sync: a GET after the HEAD gets its own answer.
            assertThat(c.get("a", "/after-head").bodyText()).startsWith("b1 GET /after-head");
        }
        assertThat(backend.received()).extracting(TestBackend.Received::method).containsExactly("HEAD", "GET");
    }

    @Test
    void postWithContentLengthArrivesWhole() throws Exception {
        String body = "x".repeat(100_000);
        try (RawHttpClient c = client()) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("b1 POST /upload bytes=100000 crc=" + crc(body));
        }
        assertThat(backend.lastReceived().headers().get("content-length")).isEqualTo("100000");
    }

    @Test
    void putWithChunkedBodyIsRechunkedAndArrivesWhole() throws Exception {
        try (RawHttpClient c = client()) {
            c.send("PUT /doc HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("b1 PUT /doc bytes=11 crc=" + crc("hello world"));
        }
        TestBackend.Received got = backend.lastReceived();
        assertThat(got.headers().get("transfer-encoding")).isEqualTo("chunked");
        assertThat(got.headers().contains("content-length")).isFalse();
    }

    @Test
    void expectContinueIsAnsweredAndTheBodyForwarded() throws Exception {
        try (RawHttpClient c = client()) {
            c.send("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            c.send("data");
            Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("b1 POST /form bytes=4 crc=" + crc("data"));
        }
        assertThat(backend.lastReceived().headers().contains("expect")).isFalse();
    }

    @Test
    void unsupportedExpectationIs417() throws Exception {
        try (RawHttpClient c = client()) {
            Response r = c.get("a", "/x", "Expect: teapot");
            assertThat(r.status()).isEqualTo(417);
            assertThat(r.bodyText()).contains("unsupported expectation 'teapot'");
            assertThat(c.get("a", "/after").status()).isEqualTo(200);
        }
        assertThat(backend.received()).extracting(TestBackend.Received::uri).containsExactly("/after");
    }

    @Test
    void chunkedResponseStreamsThrough() throws Exception {
        try (RawHttpClient c = client()) {
            Response r = c.get("a", "/chunked/4");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.bodyText()).isEqualTo("chunk-0;chunk-1;chunk-2;chunk-3;");
        }
    }

    @Test
    void keepAliveReusesOneUpstreamConnection() throws Exception {
        try (RawHttpClient c = client()) {
            for (int i = 0; i < 50; i++) {
                assertThat(c.get("a", "/r" + i).status()).isEqualTo(200);
            }
        }
        // Several client connections, one after the other, on the same two event loops: the pool serves them all.
        for (int i = 0; i < 10; i++) {
            try (RawHttpClient c = client()) {
                assertThat(c.get("a", "/s" + i).status()).isEqualTo(200);
            }
        }
        assertThat(backend.received()).hasSize(60);
        assertThat(backend.connectionsAccepted()).isLessThanOrEqualTo(2);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttpClient c = client()) {
            c.send("GET /delay/150 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /second HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /chunked/2 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /fourth HTTP/1.1\r\nHost: a\r\n\r\n");
            List<Response> responses = c.readAll(4);
            assertThat(responses).extracting(Response::bodyText).containsExactly(
                    "b1 GET /delay/150 bytes=0 crc=0",
                    "b1 POST /second bytes=3 crc=" + crc("abc"),
                    "chunk-0;chunk-1;",
                    "b1 GET /fourth bytes=0 crc=0");
        }
    }

    @Test
    void http10ClientGetsTheBodyAndTheConnectionCloses() throws Exception {
        try (RawHttpClient c = client()) {
            c.send("GET /chunked/2 HTTP/1.0\r\nHost: a\r\n\r\n");
            Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("chunk-0;chunk-1;");
            assertThat(r.header("transfer-encoding")).isNull();
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void hopByHopHeadersAreRemovedAndForwardingHeadersSet() throws Exception {
        try (RawHttpClient c = client()) {
            Response r = c.get("shop.example:8080", "/h",
                    "Connection: keep-alive, X-Secret-Hop",
                    "X-Secret-Hop: must-not-pass",
                    "Keep-Alive: timeout=5",
                    "Proxy-Connection: keep-alive",
                    "TE: trailers",
                    "Upgrade: websocket",
                    "X-Forwarded-For: 203.0.113.7",
                    "X-Forwarded-Proto: https",
                    "X-End-To-End: kept");
            assertThat(r.status()).isEqualTo(200);
        }
        var h = backend.lastReceived().headers();
        assertThat(h.contains("x-secret-hop")).isFalse();
        assertThat(h.contains("keep-alive")).isFalse();
        assertThat(h.contains("proxy-connection")).isFalse();
        assertThat(h.contains("te")).isFalse();
        assertThat(h.contains("upgrade")).isFalse();
        assertThat(h.get("connection")).isNull();
        assertThat(h.get("x-end-to-end")).isEqualTo("kept");
        assertThat(h.get("host")).isEqualTo("shop.example:8080");
        assertThat(h.get("x-forwarded-for")).isEqualTo("203.0.113.7, 127.0.0.1");
        // 127.0.0.1 is no trusted source: its claim of https is replaced, not passed on (ForwardingHeadersTest).
        assertThat(h.get("x-forwarded-proto")).isEqualTo("http");
        assertThat(h.get("x-forwarded-host")).isEqualTo("shop.example:8080");
        assertThat(h.get("via")).isEqualTo("1.1 meridian");
        assertThat(h.get("x-request-id")).matches("[0-9a-f]{32}");
    }

    @Test
    void requestIdOfAnUntrustedClientIsReplacedAndOneIsSetWhenAbsent() throws Exception {
        try (RawHttpClient c = client()) {
            c.get("a", "/id", "X-Request-Id: abc-123");
            c.get("a", "/id2");
        }
        String replaced = backend.received().get(0).headers().get("x-request-id");
        assertThat(replaced).matches("[0-9a-f]{32}");
        String generated = backend.received().get(1).headers().get("x-request-id");
        assertThat(generated).matches("[0-9a-f]{32}").isNotEqualTo(replaced);
    }

    @Test
    void hopByHopHeadersOfTheResponseAreRemoved() throws Exception {
        try (RawHttpClient c = client()) {
            Response r = c.get("a", "/chunked/1");
            assertThat(r.header("via")).isEqualTo("1.1 meridian");
            assertThat(r.header("connection")).isNull();
        }
    }

    @Test
    void absoluteFormTargetIsSentInOriginForm() throws Exception {
        try (RawHttpClient c = client()) {
            c.send("GET http://absolute.example/path?q=1 HTTP/1.1\r\nHost: absolute.example\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        assertThat(backend.lastReceived().uri()).isEqualTo("/path?q=1");
        assertThat(backend.lastReceived().headers().get("host")).isEqualTo("absolute.example");
    }

    @Test
    void inFlightCountReturnsToZero() throws Exception {
        try (RawHttpClient c = client()) {
            for (int i = 0; i < 5; i++) {
                c.get("a", "/x");
            }
        }
        var endpoint = proxy.routing().current().cluster("app").endpoints().get(0);
        // The response is flushed a moment before the exchange's bookkeeping ends on the event loop.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(endpoint.inFlight()).isZero();
            assertThat(proxy.activeExchanges()).isZero();
        });
        assertThat(endpoint.requestsTotal()).isEqualTo(5);
    }

    static long crc(String s) {
        CRC32 crc = new CRC32();
        crc.update(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return crc.getValue();
    }
}
