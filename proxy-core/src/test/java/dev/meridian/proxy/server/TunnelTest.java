package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.routing.EndpointState;
import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import dev.meridian.testing.WebSocketEchoBackend;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests that turn a connection into a tunnel: a WebSocket upgrade goes through end to end, bytes both ways,
 * counted in flight on its endpoint and closed by its idle timeout or its endpoint's ejection; CONNECT is refused
 * unless its route allows it.
 */
class TunnelTest {
    private static final String HANDSHAKE = "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    private TestBackend backend;
    private MeridianServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start("b1");
        proxy = MeridianServer.start(TestConfigs.oneCluster(backend), 1);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    private static MeridianServer proxyTo(String address, String tunnels) throws Exception {
        return MeridianServer.start(TestConfigs.parse("""
                clusters:
                  - name: app
                    endpoints:
                      - {id: ws, address: "%s", region: local}
                routes:
                  - name: all
                    cluster: app
                    tunnels: %s
                """.formatted(address, tunnels)), 1);
    }

    @Test
    void aWebSocketGoesThroughEndToEndAndCountsInFlightUntilItCloses() throws Exception {
        try (WebSocketEchoBackend ws = WebSocketEchoBackend.start();
             MeridianServer wsProxy = proxyTo(ws.address(), "{websocket: true}");
             Socket s = new Socket("127.0.0.1", wsProxy.address().getPort())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(HANDSHAKE.getBytes(StandardCharsets.US_ASCII));
            String head = ScriptedBackend.readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("upgrade: websocket")
                    .containsIgnoringCase("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            EndpointState endpoint = wsProxy.routing().current().cluster("app").endpoints().get(0);
            for (String message : new String[] {"hello", "again"}) {
                sendText(s.getOutputStream(), message);
                assertThat(readText(s.getInputStream())).isEqualTo("echo: " + message);
            }
            assertThat(endpoint.inFlight()).as("the tunnel counts on its endpoint").isEqualTo(1);
            s.close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(endpoint.inFlight()).isZero();
                assertThat(ws.openConnections()).as("the upstream side closed with the client").isZero();
            });
        }
    }

    @Test
    void aFrameSentWithTheHandshakeWaitsForTheSwitchAndIsEchoedAfterIt() throws Exception {
        try (WebSocketEchoBackend ws = WebSocketEchoBackend.start();
             MeridianServer wsProxy = proxyTo(ws.address(), "{websocket: true}");
             Socket s = new Socket("127.0.0.1", wsProxy.address().getPort())) {
            s.setSoTimeout(5_000);
            ByteArrayOutputStream oneWrite = new ByteArrayOutputStream();
            oneWrite.write(HANDSHAKE.getBytes(StandardCharsets.US_ASCII));
            sendText(oneWrite, "early");
            sendText(oneWrite, "also early");
            s.getOutputStream().write(oneWrite.toByteArray());
            assertThat(ScriptedBackend.readHead(s.getInputStream())).startsWith("HTTP/1.1 101");
            assertThat(readText(s.getInputStream())).isEqualTo("echo: early");
            assertThat(readText(s.getInputStream())).isEqualTo("echo: also early");
            sendText(s.getOutputStream(), "later");
            assertThat(readText(s.getInputStream())).isEqualTo("echo: later");
        }
    }

    @Test
    void whileTheHandshakeAwaitsItsAnswerTheClientIsNotReadPastWhatCameBehindIt() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        try (ScriptedBackend endpoint = ScriptedBackend.start(s -> {
                ScriptedBackend.readHead(s.getInputStream());
                assertThat(answer.await(5, TimeUnit.SECONDS)).isTrue();
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                byte[] buf = new byte[256];
                int n;
                while ((n = s.getInputStream().read(buf)) > 0) {
                    out.write(new String(buf, 0, n, StandardCharsets.US_ASCII).toUpperCase()
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            });
             MeridianServer wsProxy = proxyTo(endpoint.address(), "{websocket: true}");
             Socket s = new Socket("127.0.0.1", wsProxy.address().getPort())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write((HANDSHAKE + "early").getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(5)).until(() -> wsProxy.context().clientChannels().stream()
                    .anyMatch(ch -> !ch.config().isAutoRead()));
            answer.countDown();
            assertThat(ScriptedBackend.readHead(s.getInputStream())).startsWith("HTTP/1.1 101");
            s.getOutputStream().write(" and late".getBytes(StandardCharsets.US_ASCII));
            byte[] relayed = new DataInputStream(s.getInputStream()).readNBytes(14);
            assertThat(new String(relayed, StandardCharsets.US_ASCII)).isEqualTo("EARLY AND LATE");
        }
    }

    @Test
    void withWebSocketOffWhatFollowsTheHandshakeInTheSameWriteIsTheNextRequest() throws Exception {
        try (MeridianServer plain = proxyTo(backend.address(), "{websocket: false}");
             RawHttpClient c = new RawHttpClient(plain.address())) {
            c.send(HANDSHAKE + "GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readAll(2)).extracting(RawHttpClient.Response::status).containsExactly(200, 200);
        }
        assertThat(backend.received()).extracting(TestBackend.Received::uri).containsExactly("/ws", "/after");
    }

    @Test
    void aTunnelClosesAfterItsIdleTimeoutAndWhenItsEndpointIsEjected() throws Exception {
        try (WebSocketEchoBackend ws = WebSocketEchoBackend.start();
             MeridianServer wsProxy = proxyTo(ws.address(), "{idle_timeout: 300ms}")) {
            long start = System.nanoTime();
            try (Socket s = openWebSocket(wsProxy)) {
                assertThat(s.getInputStream().read()).as("closed by the proxy").isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250),
                        Duration.ofSeconds(4));
            }
        }
        try (WebSocketEchoBackend ws = WebSocketEchoBackend.start();
             MeridianServer wsProxy = proxyTo(ws.address(), "{websocket: true}");
             Socket s = openWebSocket(wsProxy)) {
            sendText(s.getOutputStream(), "before");
            assertThat(readText(s.getInputStream())).isEqualTo("echo: before");
            wsProxy.routing().current().cluster("app").endpoints().get(0).health().eject();
            assertThat(s.getInputStream().read()).as("closed when its endpoint was ejected").isEqualTo(-1);
            await().atMost(Duration.ofSeconds(5)).until(() -> ws.openConnections() == 0);
        }
    }

    @Test
    void withWebSocketOffTheUpgradeIsDroppedAndTheEndpointSeesAPlainRequest() throws Exception {
        try (MeridianServer plain = proxyTo(backend.address(), "{websocket: false}");
             RawHttpClient c = new RawHttpClient(plain.address())) {
            c.send(HANDSHAKE);
            assertThat(c.read().status()).isEqualTo(200);
        }
        TestBackend.Received got = backend.lastReceived();
        assertThat(got.headers().get("upgrade")).isNull();
        assertThat(got.headers().get("sec-websocket-key")).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
    }

    private static Socket openWebSocket(MeridianServer via) throws Exception {
        Socket s = new Socket("127.0.0.1", via.address().getPort());
        s.setSoTimeout(5_000);
        s.getOutputStream().write(HANDSHAKE.getBytes(StandardCharsets.US_ASCII));
        assertThat(ScriptedBackend.readHead(s.getInputStream())).startsWith("HTTP/1.1 101");
        return s;
    }

    /** One masked text frame, as a client must send (RFC 6455 §5.3). */
    private static void sendText(OutputStream out, String text) throws Exception {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        frame.write(0x80 | payload.length);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** One short unmasked text frame from the server. */
    private static String readText(InputStream in) throws Exception {
        DataInputStream data = new DataInputStream(in);
        assertThat(data.readUnsignedByte()).isEqualTo(0x81);
        byte[] payload = new byte[data.readUnsignedByte()];
        data.readFully(payload);
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Test
    void anAllowedConnectBecomesATunnelToTheEndpointOnItsTwoHundred() throws Exception {
        List<String> heads = new CopyOnWriteArrayList<>();
        try (ScriptedBackend relay = ScriptedBackend.start(s -> {
                heads.add(ScriptedBackend.readHead(s.getInputStream()));
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                byte[] buf = new byte[256];
                int n;
                while ((n = s.getInputStream().read(buf)) > 0) {
                    out.write(("echo:" + new String(buf, 0, n, StandardCharsets.US_ASCII))
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            });
             MeridianServer connectProxy = proxyTo(relay.address(), "{connect: true}");
             Socket s = new Socket("127.0.0.1", connectProxy.address().getPort())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String head = ScriptedBackend.readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("content-length")
                    .doesNotContainIgnoringCase("transfer-encoding");
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            byte[] echoed = new DataInputStream(s.getInputStream()).readNBytes(9);
            assertThat(new String(echoed, StandardCharsets.US_ASCII)).isEqualTo("echo:ping");
            assertThat(heads).singleElement().satisfies(h -> assertThat(h).startsWith("CONNECT a:443 HTTP/1.1"));
            EndpointState endpoint = connectProxy.routing().current().cluster("app").endpoints().get(0);
            assertThat(endpoint.inFlight()).isEqualTo(1);
            s.close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(endpoint.inFlight()).isZero();
                assertThat(relay.openConnections()).isZero();
            });
        }
    }

    @Test
    void bytesSentWithAConnectWaitForItsTwoHundredAndGoThroughTheTunnelFirst() throws Exception {
        List<String> heads = new CopyOnWriteArrayList<>();
        try (ScriptedBackend relay = ScriptedBackend.start(s -> {
                heads.add(ScriptedBackend.readHead(s.getInputStream()));
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                byte[] buf = new byte[256];
                int n;
                while ((n = s.getInputStream().read(buf)) > 0) {
                    out.write(new String(buf, 0, n, StandardCharsets.US_ASCII).toUpperCase()
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            });
             MeridianServer connectProxy = proxyTo(relay.address(), "{connect: true}");
             Socket s = new Socket("127.0.0.1", connectProxy.address().getPort())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\nGET / HTTP/1.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(ScriptedBackend.readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
            s.getOutputStream().write("then".getBytes(StandardCharsets.US_ASCII));
            byte[] relayed = new DataInputStream(s.getInputStream()).readNBytes(22);
            assertThat(new String(relayed, StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/1.1\r\n\r\nTHEN");
            assertThat(heads).singleElement().satisfies(h -> assertThat(h).startsWith("CONNECT a:443 HTTP/1.1\r\n")
                    .doesNotContain("GET"));
        }
    }

    @Test
    void aRequestSentWithARefusedConnectIsServedAfterTheRefusal() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readAll(2)).extracting(RawHttpClient.Response::status).containsExactly(405, 200);
        }
        assertThat(backend.received()).extracting(TestBackend.Received::uri).containsExactly("/after");
    }

    @Test
    void connectIsRefusedWith405AndAReasonUnlessTheRouteAllowsIt() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.address())) {
            c.send("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n");
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.bodyText()).startsWith("meridian: 405").contains("CONNECT is not allowed on route")
                    .hasLineCount(1);
            // Refused on its head alone, with nothing sent upstream: the connection serves the next request.
            assertThat(c.get("a", "/after").status()).isEqualTo(200);
        }
        assertThat(backend.received()).extracting(TestBackend.Received::method).containsExactly("GET");
    }
}
