package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.MeridianConfig;
import dev.meridian.proxy.upstream.UpstreamPool;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.RoutingTableRef;
import dev.meridian.testing.StrictHttpParser.Field;
import dev.meridian.testing.StrictResponseParser;
import dev.meridian.testing.TestConfigs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client connection as ListenerInitializer builds it (gate, pace, codec, {@link Http1Downstream}) on an
 * EmbeddedChannel: raw request bytes in, raw response bytes out, time driven by a mock ticker that is both the
 * channel's scheduler clock and the connection's. Every request here is answered without an upstream: the only
 * route is for host {@code app.example}, so others get the proxy's 404, and refusals are the proxy's own.
 */
class Http1DownstreamTest {
    private static final MeridianConfig CONFIG = TestConfigs.parse("""
            server:
              max_header_size: 4KiB
              max_header_count: 20
              max_body_size: 1KiB
              request_header_timeout: 2s
              min_body_rate: 1KiB/s
              min_body_rate_grace: 3s
              keepalive_timeout: 30s
              max_requests_per_connection: 4
            clusters:
              - name: app
                endpoints:
                  - {id: a, address: "127.0.0.1:9", region: local}
            routes:
              - match: {host: app.example}
                cluster: app
            """);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.10", 40_000);
    private static final int MAX_HEADER_BYTES = 4096;

    private final MockTicker ticker = Ticker.newMockTicker();
    private ServerContext server;
    private final EmbeddedChannel channel = new EmbeddedChannel(EmbeddedChannel.builder().ticker(ticker)
            .handlers(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    server = context(ch.eventLoop());
                    ListenerInitializer.addHandlers(ch, server, ticker::nanoTime);
                }
            })) {
        @Override
        protected SocketAddress remoteAddress0() {
            return CLIENT;
        }
    };
    /** What the connection wrote so far and no test has parsed yet. */
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();

    private static ServerContext context(EventLoop loop) {
        ProxyStats stats = new ProxyStats();
        TrafficMeters meters = new TrafficMeters();
        return new ServerContext(new RoutingTableRef(RoutingTable.build(CONFIG, null)), CONFIG.server(), stats,
                new PerLoop<>(loop, l -> new PickContext(new SplittableRandom(1))),
                new PerLoop<>(loop, l -> new UpstreamPool(l, Transport.NIO, stats, meters)),
                new DefaultChannelGroup("clients", ImmediateEventExecutor.INSTANCE),
                new PerLoop<>(loop, l -> new AtomicInteger()), meters);
    }

    @AfterEach
    void nothingLeftBehind() {
        channel.finishAndReleaseAll();
        assertThat(server.activeExchanges()).as("every exchange ended").isZero();
    }

    private void send(String raw) {
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    private void advance(long millis) {
        ticker.advance(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    /** The complete responses written since the last call; bytes of an unfinished one fail the test. */
    private List<StrictResponseParser.Response> responses() {
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            byte[] piece = new byte[out.readableBytes()];
            out.readBytes(piece);
            out.release();
            written.writeBytes(piece);
        }
        byte[] bytes = written.toByteArray();
        written.reset();
        List<StrictResponseParser.Response> all = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            byte[] rest = Arrays.copyOfRange(bytes, at, bytes.length);
            StrictResponseParser.Result result = StrictResponseParser.parse(rest, false, MAX_HEADER_BYTES, false);
            assertThat(result).as("a whole response in %s", new String(rest, StandardCharsets.ISO_8859_1))
                    .isInstanceOf(StrictResponseParser.Complete.class);
            StrictResponseParser.Complete complete = (StrictResponseParser.Complete) result;
            all.addAll(complete.responses());
            at += complete.end();
        }
        return all;
    }

    private static String body(StrictResponseParser.Response r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static String header(StrictResponseParser.Response r, String name) {
        List<Field> fields = r.all(name);
        return fields.isEmpty() ? null : fields.get(0).value();
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: other.example\r\n\r\n";
    }

    @Test
    void twoPipelinedRequestsInOneReadAreAnsweredInOrderAndTheConnectionStaysOpen() {
        send(get("/first") + get("/second"));

        List<StrictResponseParser.Response> answers = responses();
        assertThat(answers).extracting(StrictResponseParser.Response::status).containsExactly(404, 404);
        assertThat(body(answers.get(0))).contains("no route for host 'other.example' and path '/first'");
        assertThat(body(answers.get(1))).contains("and path '/second'");
        assertThat(answers).allSatisfy(r -> assertThat(header(r, "connection")).isNull());
        assertThat(channel.isOpen()).isTrue();

        send(get("/third"));
        assertThat(responses()).singleElement().satisfies(r -> assertThat(body(r)).contains("'/third'"));
    }

    @Test
    void http10WithoutKeepAliveClosesAfterTheResponseAndWithItStaysOpen() {
        send("GET /kept HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertThat(responses()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(404);
            assertThat(header(r, "connection")).isEqualToIgnoringCase("keep-alive");
        });
        assertThat(channel.isOpen()).isTrue();

        send("GET /last HTTP/1.0\r\n\r\n" + get("/never"));
        assertThat(responses()).singleElement().satisfies(r -> {
            assertThat(body(r)).contains("'/last'");
            assertThat(header(r, "connection")).isEqualToIgnoringCase("close");
        });
        assertThat(channel.isOpen()).as("closed after the response").isFalse();
    }

    @Test
    void connectionCloseClosesAfterTheResponseWhichSaysSo() {
        send("GET /bye HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n" + get("/never"));

        assertThat(responses()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(404);
            assertThat(header(r, "connection")).isEqualToIgnoringCase("close");
        });
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void theLastRequestAConnectionMayCarryIsAnsweredWithCloseAndThePipelinedRestIsNot() {
        send(get("/1") + get("/2") + get("/3") + get("/4") + get("/5"));

        List<StrictResponseParser.Response> answers = responses();
        assertThat(answers).hasSize(4);
        assertThat(header(answers.get(2), "connection")).isNull();
        assertThat(header(answers.get(3), "connection")).isEqualToIgnoringCase("close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(server.stats().connectionsAtRequestLimit.sum()).isEqualTo(1);
    }

    @Test
    void aMalformedHeadGets400WithItsReasonAfterTheRequestsBeforeItAndCloses() {
        send(get("/fine") + "GET /bad HTTP/1.1\r\nHost: other.example\r\nBad Name: x\r\n\r\n" + get("/never"));

        List<StrictResponseParser.Response> answers = responses();
        assertThat(answers).extracting(StrictResponseParser.Response::status).containsExactly(404, 400);
        assertThat(body(answers.get(1))).startsWith("meridian: 400 Bad Request: ").hasLineCount(1);
        assertThat(header(answers.get(1), "connection")).isEqualToIgnoringCase("close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(server.stats().badRequests.sum()).isEqualTo(1);
    }

    @Test
    void aHeadLargerThanTheLimitGets431AndCloses() {
        send("GET / HTTP/1.1\r\nHost: other.example\r\nX-Big: " + "b".repeat(MAX_HEADER_BYTES) + "\r\n\r\n");

        assertThat(responses()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(431);
            assertThat(body(r)).startsWith("meridian: 431 ");
        });
        assertThat(channel.isOpen()).isFalse();
        assertThat(server.stats().headersTooLarge.sum()).isEqualTo(1);
    }

    @Test
    void aHeadWithMoreFieldsThanAllowedGets431WithTheCount() {
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\nHost: other.example\r\n");
        for (int i = 0; i < 20; i++) {
            head.append("X-F").append(i).append(": v\r\n");
        }
        send(head + "\r\n");

        assertThat(responses()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(431);
            assertThat(body(r)).contains("request has 21 header fields, more than 20");
        });
        assertThat(channel.isOpen()).isFalse();
        assertThat(server.stats().tooManyHeaders.sum()).isEqualTo(1);
    }

    @Test
    void aHeadThatNeverCompletesGets408AtTheRequestHeaderTimeout() {
        send("GET /slow HTTP/1.1\r\nHost: other.exa");
        advance(1_999);
        assertThat(responses()).as("not due yet").isEmpty();
        assertThat(channel.isOpen()).isTrue();

        advance(1);
        assertThat(responses()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(408);
            assertThat(body(r)).contains("request headers not complete within 2000 ms");
            assertThat(header(r, "connection")).isEqualToIgnoringCase("close");
        });
        assertThat(channel.isOpen()).isFalse();
        assertThat(server.stats().requestHeaderTimeouts.sum()).isEqualTo(1);
    }

    @Test
    void aNextHeadIsDueFromItsFirstByteNotFromTheResponseBeforeIt() {
        send(get("/first"));
        assertThat(responses()).hasSize(1);
        advance(10_000);  // idle between requests: keep-alive's business, not the head timeout's
        assertThat(channel.isOpen()).isTrue();

        send("GET /second HTTP/1.1\r\n");
        advance(1_999);
        assertThat(channel.isOpen()).isTrue();
        advance(1);
        assertThat(responses()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(408));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aConnectionThatSendsNothingClosesAtTheHeadTimeoutWithoutAnAnswer() {
        advance(2_000);

        assertThat(responses()).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(server.stats().silentConnections.sum()).isEqualTo(1);
    }

    @Test
    void anIdleConnectionClosesAtTheKeepAliveTimeout() {
        send(get("/once"));
        assertThat(responses()).hasSize(1);

        advance(29_999);
        assertThat(channel.isOpen()).isTrue();
        advance(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(responses()).isEmpty();
    }

    @Test
    void theBodyOfARequestAnsweredEarlyIsReadAndDroppedAndTheNextRequestServed() {
        send("POST /upload HTTP/1.1\r\nHost: other.example\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n");
        assertThat(responses()).as("refused before admission: the final status, no 100 Continue").singleElement()
                .satisfies(r -> {
                    assertThat(r.status()).isEqualTo(404);
                    assertThat(header(r, "connection")).isNull();
                });

        send("01234");
        send("56789" + get("/next"));
        assertThat(responses()).singleElement().satisfies(r -> assertThat(body(r)).contains("'/next'"));
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aBodyAnsweredEarlyThatGoesPastTheBodyLimitIsDroppedWithItsConnection() {
        send("POST /upload HTTP/1.1\r\nHost: other.example\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertThat(responses()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(404));

        send("200\r\n" + "x".repeat(512) + "\r\n");
        send("200\r\n" + "x".repeat(512) + "\r\n");
        assertThat(channel.isOpen()).as("1024 bytes: within the limit").isTrue();
        send("1\r\nx\r\n");

        assertThat(channel.isOpen()).isFalse();
        assertThat(server.stats().bodyTooLarge.sum()).isEqualTo(1);
    }

    @Test
    void aBodyAnsweredEarlyIsStillHeldToTheMinimumRate() {
        send("POST /upload HTTP/1.1\r\nHost: other.example\r\nContent-Length: 1000\r\n\r\n");
        assertThat(responses()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(404));

        advance(2_999);
        assertThat(channel.isOpen()).as("within the grace period").isTrue();
        advance(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(server.stats().slowRequestBodies.sum()).isEqualTo(1);
    }

    @Test
    void anExpectationOtherThan100ContinueGets417() {
        send("PUT /x HTTP/1.1\r\nHost: app.example\r\nExpect: gold\r\nContent-Length: 0\r\n\r\n");

        assertThat(responses()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(417);
            assertThat(body(r)).contains("unsupported expectation 'gold'");
        });
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void whileTheServerDrainsAResponseSaysCloseAndTheConnectionCloses() {
        send(get("/before"));
        assertThat(responses()).singleElement().satisfies(r -> assertThat(header(r, "connection")).isNull());

        server.startDraining();
        send(get("/during"));
        assertThat(responses()).singleElement()
                .satisfies(r -> assertThat(header(r, "connection")).isEqualToIgnoringCase("close"));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void whatCameBehindAnUpgradeRequestAnsweredLocallyIsTheNextRequest() {
        send("GET /ws HTTP/1.1\r\nHost: other.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                + get("/after"));

        List<StrictResponseParser.Response> answers = responses();
        assertThat(answers).extracting(StrictResponseParser.Response::status).containsExactly(404, 404);
        assertThat(body(answers.get(0))).contains("'/ws'");
        assertThat(body(answers.get(1))).contains("'/after'");
        assertThat(channel.config().isAutoRead()).as("reading again").isTrue();
    }
}
