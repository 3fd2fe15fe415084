package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An endpoint that answers a request before reading its body (nginx's {@code return}, an early 401, a cache hit for
 * a POST): the client's keep-alive connection survives it. The rest of the body is read and dropped, and the next
 * request on the connection is served, pipelined or not; a body the proxy itself refuses closes the connection with
 * a reply that says so.
 */
class EarlyAnswerTest {
    private static final String EARLY = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nearly";
    private static final String NEXT = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext";

    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    private final List<String> heads = new CopyOnWriteArrayList<>();
    /** Per POST: the body bytes the endpoint read after its answer, and how its connection ended. */
    private final List<String> bodyAfterAnswer = new CopyOnWriteArrayList<>();
    private EarlyBackend holder;
    private MeridianServer proxy;

    /** Answers each request as soon as its head is in; after a POST, reads whatever comes until the proxy closes. */
    private static final class EarlyBackend implements AutoCloseable {
        final ScriptedBackend backend;

        EarlyBackend(List<String> heads, List<String> bodyAfterAnswer) throws Exception {
            backend = ScriptedBackend.start(s -> {
                OutputStream out = s.getOutputStream();
                while (true) {
                    String head = ScriptedBackend.readHead(s.getInputStream());
                    heads.add(head);
                    if (head.startsWith("POST")) {
                        out.write(EARLY.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        bodyAfterAnswer.add(readCountingUntilClosed(s.getInputStream()));
                        return;
                    }
                    out.write(NEXT.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            });
        }

        @Override
        public void close() throws Exception {
            backend.close();
        }
    }

    private static String readCountingUntilClosed(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        long n = 0;
        try {
            for (int r; (r = in.read(buf)) >= 0; ) {
                n += r;
            }
            return n + " bytes, closed";
        } catch (SocketException e) {
            return n + " bytes, reset";
        }
    }

    @BeforeEach
    void start() throws Exception {
        holder = new EarlyBackend(heads, bodyAfterAnswer);
        proxy = MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    endpoints:
                      - {id: early, address: "%s", region: local}
                routes:
                  - name: all
                    cluster: app
                    max_body_size: 8KiB
                    retries: {max: 0, hedge: {enabled: false}}
                """.formatted(holder.backend.address())), 1);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        holder.close();
        pacer.shutdownNow();
    }

    @Test
    void anAnswerBeforeTheBodyKeepsTheConnectionForTheNextRequest() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 1024\r\n\r\n");
            RawHttpClient.Response early = c.read();
            assertThat(early.status()).isEqualTo(200);
            assertThat(early.bodyText()).isEqualTo("early");
            assertThat(early.header("connection")).as("the answer announces no close").isNull();
            byte[] piece = "x".repeat(256).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 4; i++) {
                pacer.schedule(() -> c.send(piece), 5, TimeUnit.MILLISECONDS).get();
            }
            RawHttpClient.Response next = c.get("a", "/next");
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.bodyText()).isEqualTo("next");
            assertThat(c.get("a", "/again").bodyText()).isEqualTo("next");
        }
        assertThat(heads).extracting(h -> h.substring(0, h.indexOf('\r')))
                .containsExactly("POST /upload HTTP/1.1", "GET /next HTTP/1.1", "GET /again HTTP/1.1");
        // The rest of the body went on to the endpoint that answered, which read it whole; then its connection was
        // closed, never pooled (an endpoint that did not read the body might take it for its next request).
        await().atMost(Duration.ofSeconds(5)).until(() -> !bodyAfterAnswer.isEmpty());
        assertThat(bodyAfterAnswer).containsExactly("1024 bytes, closed");
        await().atMost(Duration.ofSeconds(5)).until(() -> holder.backend.openConnections() <= 1);
        assertThat(proxy.stats().leftoverBodiesForwarded.sum()).isEqualTo(1);
    }

    @Test
    void aRequestPipelinedBehindTheBodyIsServedOnceTheBodyHasEnded() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 600\r\n\r\n" + "y".repeat(100));
            assertThat(c.read().bodyText()).isEqualTo("early");
            c.send("y".repeat(500) + "GET /behind HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttpClient.Response behind = c.read();
            assertThat(behind.status()).isEqualTo(200);
            assertThat(behind.bodyText()).isEqualTo("next");
            assertThat(c.get("a", "/after").status()).isEqualTo(200);
        }
        assertThat(heads).hasSize(3);
        // The endpoint read the whole body (100 bytes sent before its answer, 500 after) and nothing of the GET.
        await().atMost(Duration.ofSeconds(5)).until(() -> !bodyAfterAnswer.isEmpty());
        assertThat(bodyAfterAnswer).containsExactly("600 bytes, closed");
    }

    @Test
    void aBodyThatGoesOnPastItsRoutesLimitAfterTheAnswerClosesTheConnection() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("POST /stream HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("early");
            String chunk = Integer.toHexString(1024) + "\r\n" + "c".repeat(1024) + "\r\n";
            // The route allows 8 KiB: the ninth KiB is past it, answered or not.
            c.send(chunk.repeat(9));
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(proxy.stats().bodyTooLarge.sum()).isEqualTo(1);
        // Cut off at the limit: the endpoint got what came within it, never a terminating chunk it could take for
        // the body's end.
        await().atMost(Duration.ofSeconds(5)).until(() -> !bodyAfterAnswer.isEmpty());
        assertThat(bodyAfterAnswer.get(0)).doesNotContain("reset");
    }

    @Test
    void aBodyTheProxyRefusesClosesWithAReplyThatSaysSoAndIsReadWhole() throws Exception {
        try (Socket s = new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            // Declared over the route's limit: 413 before anything goes upstream, while the body keeps coming.
            out.write(("POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 16384\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write("z".repeat(16384).getBytes(StandardCharsets.US_ASCII));
            out.write("GET /behind HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(reply).startsWith("HTTP/1.1 413").containsIgnoringCase("connection: close")
                    .contains("meridian: 413").doesNotContain("HTTP/1.1 200");
        }
        assertThat(heads).isEmpty();
    }
}
