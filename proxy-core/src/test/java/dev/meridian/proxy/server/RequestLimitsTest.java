package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.RawHttpClient.Response;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The limits on one request: line, header block, header count and body (server-wide and per route), each answered
 * with its status and a reason, each not hit just under it, and nothing of a refused request reaching the backend.
 */
class RequestLimitsTest {
    private TestBackend backend;
    /** Answers before the request body has ended, then reads until the proxy closes. */
    private ScriptedBackend early;
    private MeridianServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start("b");
        early = ScriptedBackend.start(s -> {
            InputStream in = s.getInputStream();
            ScriptedBackend.readHead(in);
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ScriptedBackend.readUntilClosed(in);
        });
        proxy = MeridianServer.start(TestConfigs.parse("""
                server:
                  max_request_line: 1KiB
                  max_header_size: 4KiB
                  max_header_count: 10
                  max_body_size: 1KiB
                clusters:
                  - name: app
                    endpoints:
                      - {id: b, address: "%s", region: local}
                  - name: early
                    endpoints:
                      - {id: e, address: "%s", region: local}
                routes:
                  - name: big
                    match: {path_prefix: /big}
                    cluster: app
                    max_body_size: 4KiB
                  - name: early
                    match: {path_prefix: /early}
                    cluster: early
                  - name: all
                    cluster: app
                """.formatted(backend.address(), early.address())), 1);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
        early.close();
    }

    private RawHttpClient client() throws Exception {
        return new RawHttpClient(proxy.address());
    }

    @Test
    void aRequestLineOfExactlyTheLimitPassesAndOneByteMoreIs414() throws Exception {
        String path = "/" + "a".repeat(1024 - "GET  HTTP/1.1".length() - 1);
        try (RawHttpClient c = client()) {
            assertThat(c.get("a", path).status()).isEqualTo(200);
        }
        try (RawHttpClient c = client()) {
            Response r = c.get("a", path + "a");
            assertThat(r.status()).isEqualTo(414);
            assertThat(r.bodyText()).isEqualTo("meridian: 414 Request-URI Too Long: request line longer than 1024 bytes\n");
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(proxy.stats().uriTooLong.sum()).isEqualTo(1);
        assertThat(backend.received()).hasSize(1);
    }

    @Test
    void aHeaderBlockJustUnderTheLimitPasses() throws Exception {
        try (RawHttpClient c = client()) {
            assertThat(c.get("a", "/", "X-Big: " + "b".repeat(3900)).status()).isEqualTo(200);
            Response r = c.get("a", "/", "X-Big: " + "b".repeat(4100));
            assertThat(r.status()).isEqualTo(431);
            assertThat(r.bodyText()).contains("request headers larger than 4096 bytes");
        }
        assertThat(proxy.stats().headersTooLarge.sum()).isEqualTo(1);
    }

    @Test
    void tenHeaderFieldsPassAndElevenAre431AndClose() throws Exception {
        String[] nine = new String[9];
        for (int i = 0; i < nine.length; i++) {
            nine[i] = "X-H" + i + ": v";
        }
        String[] ten = java.util.Arrays.copyOf(nine, 10);
        ten[9] = "X-H9: v";
        try (RawHttpClient c = client()) {
            assertThat(c.get("a", "/ten", nine).status()).isEqualTo(200);  // Host and nine more
            Response r = c.get("a", "/eleven", ten);
            assertThat(r.status()).isEqualTo(431);
            assertThat(r.bodyText()).isEqualTo(
                    "meridian: 431 Request Header Fields Too Large: request has 11 header fields, more than 10\n");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(proxy.stats().tooManyHeaders.sum()).isEqualTo(1);
        assertThat(backend.received()).extracting(TestBackend.Received::uri).containsExactly("/ten");
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413BeforeAnythingGoesUpstream() throws Exception {
        try (RawHttpClient c = client()) {
            c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1024\r\n\r\n" + "x".repeat(1024));
            assertThat(c.read().bodyText()).contains("bytes=1024");
            // Only the head: the client learns of the limit before it sends the body.
            c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1025\r\n\r\n");
            Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.bodyText()).isEqualTo("meridian: 413 Request Entity Too Large: request body of 1025 bytes "
                    + "is larger than the limit of 1024 bytes (route 'all')\n");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(proxy.stats().bodyTooLarge.sum()).isEqualTo(1);
        assertThat(backend.received()).hasSize(1);
        assertThat(backend.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void aClientThatSendsItsWholeOversizeBodyBeforeReadingStillGets413() throws Exception {
        // The proxy closes with the body unread, which resets the connection; what reached the client before the
        // reset stays readable (Linux reads queued data before reporting the reset).
        byte[] body = new byte[1 << 20];
        try (RawHttpClient c = client()) {
            try {
                c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n").send(body);
            } catch (IOException e) {
                // reset while still sending: the response is read all the same
            }
            assertThat(c.read().status()).isEqualTo(413);
        }
        assertThat(backend.connectionsAccepted()).isZero();
    }

    @Test
    void aRouteLimitReplacesTheServerLimit() throws Exception {
        try (RawHttpClient c = client()) {
            c.send("POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 4096\r\n\r\n" + "x".repeat(4096));
            assertThat(c.read().bodyText()).contains("bytes=4096");
            c.send("POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 4097\r\n\r\n");
            Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.bodyText()).contains("larger than the limit of 4096 bytes (route 'big')");
        }
    }

    @Test
    void anExpectationOfABodyOverTheLimitGets413InsteadOf100() throws Exception {
        try (RawHttpClient c = client()) {
            c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\nExpect: 100-continue\r\n\r\n");
            Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(backend.connectionsAccepted()).isZero();
    }

    @Test
    void aChunkedBodyCrossingTheLimitBeforeAnyResponseIs413AndTheTryIsAbandoned() throws Exception {
        try (RawHttpClient c = client()) {
            // 600 + 600 bytes against 1 KiB: the second chunk crosses. No terminator: the proxy stops reading there.
            c.send("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + "x".repeat(600)
                    + "\r\n258\r\n" + "y".repeat(600) + "\r\n");
            Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.bodyText()).isEqualTo(
                    "meridian: 413 Request Entity Too Large: request body larger than the limit of 1024 bytes\n");
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(proxy.stats().bodyTooLarge.sum()).isEqualTo(1);
        // The upstream connection got part of a request: closed, never pooled, and the backend saw no request end.
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.openConnections() == 0);
        assertThat(backend.received()).isEmpty();
        assertThat(proxy.activeExchanges()).isZero();
    }

    @Test
    void aChunkedBodyCrossingTheLimitAfterTheResponseStartedClosesTheConnection() throws Exception {
        try (Socket s = new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("POST /early HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + "x".repeat(100)
                    + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = ScriptedBackend.readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200 OK");
            out.write(("7d0\r\n" + "y".repeat(2000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String rest = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(rest).startsWith("5\r\nhello\r\n").doesNotContain("0\r\n\r\n");
        }
        assertThat(proxy.stats().bodyTooLarge.sum()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> early.openConnections() == 0);
    }
}
