package dev.meridian.proxy.server;

import static dev.meridian.proxy.server.Exchange.State.AWAITING_RESPONSE;
import static dev.meridian.proxy.server.Exchange.State.BACKING_OFF;
import static dev.meridian.proxy.server.Exchange.State.CONNECTING;
import static dev.meridian.proxy.server.Exchange.State.DONE;
import static dev.meridian.proxy.server.Exchange.State.ROUTING;
import static dev.meridian.proxy.server.Exchange.State.SENDING;
import static dev.meridian.proxy.server.Exchange.State.STREAMING_RESPONSE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.MeridianConfig;
import dev.meridian.proxy.observe.ExchangeLog;
import dev.meridian.proxy.server.InMemoryUpstreams.Connect;
import dev.meridian.proxy.server.InMemoryUpstreams.Upstream;
import dev.meridian.proxy.upstream.UpstreamPool;
import dev.meridian.routing.EndpointState;
import dev.meridian.routing.OutcomeSink;
import dev.meridian.routing.PickContext;
import dev.meridian.routing.RoutingTable;
import dev.meridian.routing.RoutingTableRef;
import dev.meridian.testing.TestConfigs;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exchange's transitions, driven by hand: a {@link RecordingDownstream} in place of the client connection, with a
 * clock that moves only when the test moves it; upstream connections in memory ({@link InMemoryUpstreams}) behind
 * the real pool and codec. No socket and no sleep: each step is a call, each timeout a move of the clock.
 */
class ExchangeTransitionsTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final MeridianConfig CONFIG = TestConfigs.parse("""
            clusters:
              - name: pair
                endpoints:
                  - {id: a, address: "127.0.0.1:1001", region: local}
                  - {id: b, address: "127.0.0.1:1002", region: local}
              - name: solo
                endpoints:
                  - {id: s, address: "127.0.0.1:1003", region: local}
            routes:
              - match:
                  host: pair.test
                cluster: pair
                decision_header: true
                timeouts:
                  connect: 1s
                  response_header: 5s
                  idle: 5s
                retries:
                  per_try_timeout: 1s
                  backoff_base: 0s
                  hedge:
                    enabled: false
              - match:
                  host: hedged.test
                cluster: pair
                timeouts:
                  connect: 1s
                  response_header: 5s
                  idle: 5s
                retries:
                  backoff_base: 0s
                  hedge:
                    min_delay: 100ms
              - match:
                  host: backoff.test
                cluster: pair
                retries:
                  backoff_base: 100ms
                  backoff_max: 100ms
              - match:
                  host: quick-backoff.test
                cluster: pair
                retries:
                  backoff_base: 1ms
                  backoff_max: 1ms
              - match:
                  host: solo.test
                cluster: solo
                timeouts:
                  connect: 1s
                  response_header: 5s
                  idle: 5s
                retries:
                  per_try_timeout: 1s
                  backoff_base: 0s
                  hedge:
                    enabled: false
            """);

    private final EmbeddedChannel client = new EmbeddedChannel();
    private final InMemoryUpstreams upstreams = new InMemoryUpstreams();
    private final RecordingDownstream downstream = new RecordingDownstream(client);
    private final List<String> outcomes = new ArrayList<>();
    private final List<HttpObject> unsent = new ArrayList<>();
    private ServerContext server;
    private UpstreamPool pool;
    private Exchange exchange;

    @BeforeEach
    void build() {
        client.freezeTime();  // the backoff's timer moves only by advanceTimeBy
        EventLoop loop = client.eventLoop();
        ProxyStats stats = new ProxyStats();
        TrafficMeters meters = new TrafficMeters();
        pool = new UpstreamPool(loop, upstreams, stats, meters);
        PickContext pickContext = new PickContext(new SplittableRandom(7));
        server = new ServerContext(new RoutingTableRef(RoutingTable.build(CONFIG, null)), CONFIG.server(), stats,
                new PerLoop<>(loop, l -> pickContext), new PerLoop<>(loop, l -> pool),
                new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE), new PerLoop<>(loop, l -> new AtomicInteger()),
                meters);
        server.outcomes(new OutcomeSink() {
            @Override
            public void connectFailed(EndpointState endpoint, boolean timedOut) {
                outcomes.add((timedOut ? "connect timed out " : "connect failed ") + endpoint.id());
            }

            @Override
            public void failedBeforeResponse(EndpointState endpoint) {
                outcomes.add("failed before response " + endpoint.id());
            }

            @Override
            public void responseBroken(EndpointState endpoint) {
                outcomes.add("response broken " + endpoint.id());
            }

            @Override
            public void responded(EndpointState endpoint, int status, long headerLatencyNanos) {
                outcomes.add("responded " + endpoint.id() + " " + status + " in " + headerLatencyNanos / MS + " ms");
            }
        });
        exchange = new Exchange(server, downstream, new ExchangeLog(server.accessLog()), pickContext, pool,
                downstream.clock());
        downstream.serve(exchange);
    }

    @AfterEach
    void release() {
        unsent.forEach(ReferenceCountUtil::release);
        downstream.releaseHeads();
        upstreams.releaseAll();
        assertThat(client.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aRequestAnsweredNormallyGoesThroughEachStateInTurn() {
        upstreams.next(Connect.HOLD);
        List<HttpObject> get = request("GET /x HTTP/1.1\r\nHost: pair.test\r\n\r\n");

        exchange.start(head(get));
        downstream.sample();
        assertThat(exchange.state()).isEqualTo(CONNECTING);
        Upstream upstream = upstreams.last();
        advance(3);
        upstream.connected();
        assertThat(exchange.state()).isEqualTo(SENDING);
        exchange.requestContent(end(get));
        exchange.flushUpstream();
        downstream.sample();
        assertThat(upstream.received()).startsWith("GET /x HTTP/1.1\r\n").contains("\r\nHost: pair.test\r\n")
                .contains("\r\nx-forwarded-for: 192.0.2.10\r\n").endsWith("\r\n\r\n");
        advance(20);
        upstream.answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");

        assertThat(downstream.states()).containsExactly(ROUTING, CONNECTING, SENDING, AWAITING_RESPONSE,
                STREAMING_RESPONSE, DONE);
        assertThat(downstream.events()).containsExactly("welcome", "head 200", "body hello", "complete", "ended",
                "carry on");
        assertThat(downstream.head().headers().get("via")).isEqualTo("1.1 meridian");
        EndpointState endpoint = endpointOf(upstream);
        assertThat(outcomes).containsExactly("responded " + endpoint.id() + " 200 in 20 ms");
        assertThat(pool.hasIdle(endpoint)).as("kept alive for the next request").isTrue();
        assertThat(server.stats().retries.sum()).isZero();
    }

    @Test
    void aRefusedConnectIsRetriedFreeOnTheOtherEndpoint() {
        upstreams.next(Connect.REFUSE, Connect.HOLD);
        List<HttpObject> get = request("GET /x HTTP/1.1\r\nHost: pair.test\r\n\r\n");

        exchange.start(head(get));
        downstream.sample();
        assertThat(upstreams.opened()).hasSize(2);
        Upstream refused = upstreams.opened().get(0);
        Upstream retried = upstreams.opened().get(1);
        EndpointState first = endpointOf(refused);
        EndpointState second = endpointOf(retried);
        assertThat(second).isNotSameAs(first);
        assertThat(exchange.state()).isEqualTo(CONNECTING);
        assertThat(outcomes).containsExactly("connect failed " + first.id());
        retried.connected();
        exchange.requestContent(end(get));
        downstream.sample();
        retried.answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

        assertThat(downstream.states()).containsExactly(ROUTING, CONNECTING, SENDING, AWAITING_RESPONSE,
                STREAMING_RESPONSE, DONE);
        assertThat(downstream.events()).containsExactly("welcome", "head 200", "body ok", "complete", "ended",
                "carry on");
        assertThat(downstream.head().headers().get("x-meridian-decision"))
                .contains("endpoint=" + second.id() + ";").contains("; try=2;");
        assertThat(server.stats().connectFailures.sum()).isEqualTo(1);
        assertThat(server.stats().retries.sum()).isEqualTo(1);
        assertThat(server.stats().freeRetries.sum()).as("the refused try added no load").isEqualTo(1);
    }

    @Test
    void aConnectTimeoutIsRetriedOnTheOtherEndpoint() {
        upstreams.next(Connect.HOLD);
        List<HttpObject> get = request("GET /x HTTP/1.1\r\nHost: pair.test\r\n\r\n");

        exchange.start(head(get));
        Upstream late = upstreams.last();
        late.connectTimedOut();
        downstream.sample();
        exchange.requestContent(end(get));
        upstreams.last().answer("HTTP/1.1 204 No Content\r\n\r\n");

        assertThat(upstreams.opened()).hasSize(2);
        assertThat(endpointOf(upstreams.last())).isNotSameAs(endpointOf(late));
        assertThat(outcomes).first().isEqualTo("connect timed out " + endpointOf(late).id());
        assertThat(downstream.events()).containsExactly("welcome", "head 204", "complete", "ended", "carry on");
        assertThat(server.stats().connectTimeouts.sum()).isEqualTo(1);
    }

    @Test
    void aRetryWaitsOutItsBackoffBeforeItConnects() {
        upstreams.next(Connect.REFUSE);
        List<HttpObject> get = request("GET /x HTTP/1.1\r\nHost: backoff.test\r\n\r\n");

        exchange.start(head(get));
        downstream.sample();
        assertThat(exchange.state()).isEqualTo(BACKING_OFF);
        assertThat(upstreams.opened()).hasSize(1);
        assertThat(exchange.tryAlive()).as("the request still has a try to come").isTrue();
        client.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        downstream.sample();

        assertThat(upstreams.opened()).hasSize(2);
        assertThat(exchange.state()).isEqualTo(SENDING);
        assertThat(downstream.states()).containsExactly(ROUTING, BACKING_OFF, CONNECTING, SENDING);
        exchange.requestContent(end(get));
        upstreams.last().answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertThat(downstream.events()).containsExactly("welcome", "head 200", "complete", "ended", "carry on");
    }

    @Test
    void aBackoffThatEndsAfterTheClientLeftStartsNothing() {
        upstreams.next(Connect.REFUSE);
        List<HttpObject> get = request("GET /x HTTP/1.1\r\nHost: backoff.test\r\n\r\n");
        unsent.add(end(get));

        exchange.start(head(get));
        assertThat(exchange.state()).isEqualTo(BACKING_OFF);
        client.close();
        exchange.connectionClosed();
        client.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();

        assertThat(exchange.state()).isEqualTo(DONE);
        assertThat(upstreams.opened()).hasSize(1);
        assertThat(downstream.events()).containsExactly("ended");
    }

    @Test
    void aBackoffLeftFromAnEarlierExchangeStartsNothingInTheNextOne() {
        upstreams.next(Connect.REFUSE, Connect.REFUSE);
        List<HttpObject> first = request("GET /1 HTTP/1.1\r\nHost: quick-backoff.test\r\n\r\n");
        unsent.add(end(first));
        exchange.start(head(first));
        exchange.failBeforeResponse(HttpResponseStatus.REQUEST_TIMEOUT, "request body too slow");
        List<HttpObject> second = request("GET /2 HTTP/1.1\r\nHost: backoff.test\r\n\r\n");

        exchange.start(head(second));
        client.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
        assertThat(exchange.state()).as("the first request's backoff is over, not the second's")
                .isEqualTo(BACKING_OFF);
        client.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();

        assertThat(upstreams.opened()).as("two refused, one retry of the second request").hasSize(3);
        assertThat(upstreams.last().received()).startsWith("GET /2 HTTP/1.1\r\n");
        exchange.requestContent(end(second));
        upstreams.last().answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertThat(downstream.events()).containsExactly("reply 408: request body too slow", "ended", "carry on",
                "welcome", "head 200", "complete", "ended", "carry on");
    }

    @Test
    void aTryThatSendsNoHeadersWithinItsTimeoutIsAnswered504WithItsReason() {
        List<HttpObject> get = request("GET /x HTTP/1.1\r\nHost: solo.test\r\n\r\n");

        exchange.start(head(get));
        exchange.requestContent(end(get));
        long sentAt = downstream.now();
        Upstream silent = upstreams.last();
        downstream.advanceTo(sentAt + 999 * MS);
        assertThat(exchange.state()).isEqualTo(AWAITING_RESPONSE);
        assertThat(downstream.events()).containsExactly("welcome");
        downstream.advanceTo(sentAt + 1000 * MS);

        assertThat(downstream.events()).containsExactly("welcome",
                "reply 504: endpoint 's' sent no response headers within 1000 ms", "ended", "carry on");
        assertThat(downstream.states()).containsExactly(ROUTING, CONNECTING, SENDING, AWAITING_RESPONSE, DONE);
        assertThat(silent.isOpen()).as("mid-request: closed, never pooled").isFalse();
        assertThat(outcomes).containsExactly("failed before response s");
        assertThat(server.stats().responseTimeouts.sum()).isEqualTo(1);
    }

    @Test
    void aPerTryTimeoutMovesTheRequestToTheOtherEndpointWithinTheRouteTimeout() {
        List<HttpObject> post = request("PUT /doc HTTP/1.1\r\nHost: pair.test\r\nContent-Length: 4\r\n\r\nbody");

        exchange.start(head(post));
        for (HttpObject piece : post.subList(1, post.size())) {
            exchange.requestContent((HttpContent) piece);
        }
        exchange.flushUpstream();
        Upstream silent = upstreams.last();
        assertThat(silent.received()).endsWith("\r\n\r\nbody");
        downstream.advanceTo(downstream.now() + 1000 * MS);

        assertThat(silent.isOpen()).isFalse();
        Upstream retried = upstreams.last();
        assertThat(retried).isNotSameAs(silent);
        assertThat(exchange.state()).as("the replayed request is whole").isEqualTo(AWAITING_RESPONSE);
        assertThat(retried.received()).startsWith("PUT /doc HTTP/1.1\r\n").endsWith("\r\n\r\nbody");
        retried.answer("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        assertThat(downstream.events()).containsExactly("welcome", "welcome", "head 201", "complete", "ended",
                "carry on");
        assertThat(outcomes).containsExactly("failed before response " + endpointOf(silent).id(),
                "responded " + endpointOf(retried).id() + " 201 in 0 ms");
        assertThat(server.stats().retries.sum()).isEqualTo(1);
        assertThat(server.stats().freeRetries.sum()).as("the silent try may have had the request").isZero();
    }

    @Test
    void aRetryHasItsOwnPerTryTimeoutCountedFromItsResend() {
        List<HttpObject> put = request("PUT /doc HTTP/1.1\r\nHost: pair.test\r\nContent-Length: 4\r\n\r\nbody");

        exchange.start(head(put));
        for (HttpObject piece : put.subList(1, put.size())) {
            exchange.requestContent((HttpContent) piece);
        }
        exchange.flushUpstream();
        long firstSentAt = downstream.now();
        Upstream first = upstreams.last();
        downstream.advanceTo(firstSentAt + 1000 * MS);
        Upstream second = upstreams.last();
        assertThat(second).isNotSameAs(first);
        assertThat(second.received()).endsWith("\r\n\r\nbody");

        downstream.advanceTo(firstSentAt + 1999 * MS);
        assertThat(exchange.state()).as("the retry's second is not up").isEqualTo(AWAITING_RESPONSE);
        downstream.advanceTo(firstSentAt + 2000 * MS);

        // Both endpoints tried, each silent for its own second: the client hears at 2 s, not at the idle timeout.
        assertThat(downstream.events()).containsExactly("welcome", "welcome",
                "reply 504: endpoint '" + endpointOf(second).id() + "' sent no response headers within 1000 ms",
                "ended", "carry on");
        assertThat(second.isOpen()).isFalse();
        assertThat(server.stats().responseTimeouts.sum()).isEqualTo(2);
    }

    @Test
    void aLateAnswerIsHedgedAndTheHedgeThatAnswersFirstWins() {
        List<HttpObject> get = request("GET /x HTTP/1.1\r\nHost: hedged.test\r\n\r\n");

        exchange.start(head(get));
        exchange.requestContent(end(get));
        Upstream slow = upstreams.last();
        downstream.advanceTo(downstream.now() + 99 * MS);
        assertThat(upstreams.opened()).hasSize(1);
        downstream.advanceTo(downstream.now() + MS);
        assertThat(upstreams.opened()).hasSize(2);
        Upstream hedge = upstreams.last();
        assertThat(hedge.received()).startsWith("GET /x HTTP/1.1\r\n");
        hedge.answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nquick");

        assertThat(slow.isOpen()).as("the first try lost").isFalse();
        assertThat(downstream.events()).containsExactly("welcome", "head 200", "body quick", "complete", "ended",
                "carry on");
        assertThat(pool.hasIdle(endpointOf(hedge))).isTrue();
        assertThat(server.stats().hedges.sum()).isEqualTo(1);
        assertThat(server.stats().hedgeWins.sum()).isEqualTo(1);
    }

    @Test
    void anUpstreamThatClosesMidBodyAbortsTheClient() {
        List<HttpObject> get = request("GET /x HTTP/1.1\r\nHost: solo.test\r\n\r\n");

        exchange.start(head(get));
        exchange.requestContent(end(get));
        Upstream upstream = upstreams.last();
        upstream.answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
        assertThat(exchange.state()).isEqualTo(STREAMING_RESPONSE);
        upstream.close();

        assertThat(downstream.events()).containsExactly("welcome", "head 200", "body half", "ended",
                "abort mid-response");
        assertThat(downstream.states()).containsExactly(ROUTING, CONNECTING, SENDING, AWAITING_RESPONSE,
                STREAMING_RESPONSE, DONE);
        assertThat(outcomes).as("a broken body is a gateway failure").containsExactly("failed before response s");
        assertThat(server.stats().upstreamResets.sum()).isEqualTo(1);
    }

    @Test
    void aPooledConnectionClosedUnderTheRequestIsResentOnceToTheSameEndpoint() {
        List<HttpObject> first = request("GET /1 HTTP/1.1\r\nHost: solo.test\r\n\r\n");
        exchange.start(head(first));
        exchange.requestContent(end(first));
        Upstream pooled = upstreams.last();
        pooled.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        pooled.received();
        List<HttpObject> second = request("GET /2 HTTP/1.1\r\nHost: solo.test\r\n\r\n");

        exchange.start(head(second));
        exchange.requestContent(end(second));
        assertThat(upstreams.opened()).as("the idle connection is reused").hasSize(1);
        assertThat(pooled.received()).startsWith("GET /2 HTTP/1.1\r\n");
        pooled.close();

        assertThat(upstreams.opened()).hasSize(2);
        Upstream fresh = upstreams.last();
        assertThat(endpointOf(fresh)).isSameAs(endpointOf(pooled));
        assertThat(fresh.received()).startsWith("GET /2 HTTP/1.1\r\n");
        fresh.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertThat(downstream.events()).containsExactly("welcome", "head 200", "complete", "ended", "carry on",
                "welcome", "welcome", "head 200", "complete", "ended", "carry on");
        assertThat(server.stats().staleRetries.sum()).isEqualTo(1);
        assertThat(outcomes).as("a race, not the endpoint's failure").containsExactly("responded s 200 in 0 ms",
                "responded s 200 in 0 ms");
    }

    @Test
    void aRequestWithNoRouteIsAnswered404Here() {
        List<HttpObject> get = request("GET /x?secret=1 HTTP/1.1\r\nHost: other.test\r\n\r\n");
        unsent.add(end(get));

        exchange.start(head(get));

        assertThat(downstream.events()).containsExactly(
                "reply 404: no route for host 'other.test' and path '/x'", "ended", "carry on");
        assertThat(downstream.states()).containsExactly(ROUTING, DONE);
        assertThat(upstreams.opened()).isEmpty();
        assertThat(server.stats().noRoute.sum()).isEqualTo(1);
        assertThat(server.stats().proxied.sum()).isZero();
    }

    /** The request's head and body as the client connection's codec decodes them. */
    private static List<HttpObject> request(String raw) {
        EmbeddedChannel codec = new EmbeddedChannel(new ServerCodec(8 * 1024, 64 * 1024));
        codec.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        List<HttpObject> objects = new ArrayList<>();
        HttpObject obj;
        while ((obj = codec.readInbound()) != null) {
            objects.add(obj);
        }
        codec.finishAndReleaseAll();
        return objects;
    }

    private static HttpRequest head(List<HttpObject> request) {
        return (HttpRequest) request.get(0);
    }

    private static HttpContent end(List<HttpObject> request) {
        return (HttpContent) request.get(request.size() - 1);
    }

    /** Moves the clock by {@code ms}: the time a step takes. */
    private void advance(long ms) {
        downstream.advanceTo(downstream.now() + ms * MS);
    }

    /** The endpoint the pool connected {@code upstream} to. */
    private EndpointState endpointOf(Upstream upstream) {
        RoutingTable table = server.routing().current();
        return Stream.of("pair", "solo").flatMap(name -> table.cluster(name).endpoints().stream())
                .filter(e -> e.address().equals(upstream.remoteAddress())).findFirst()
                .orElseThrow(() -> new AssertionError("no endpoint at " + upstream.remoteAddress()));
    }
}
