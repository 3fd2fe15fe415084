package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.config.ServerConfig;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The deadlines the proxy handler's timer acts on. Clock values are given, except for the first byte of a head. */
class ClientPaceTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long NONE = Long.MAX_VALUE;

    private final ServerConfig config = new ServerConfig(8192, 65_536, 100, 1 << 20, Duration.ofSeconds(10), 100,
            Duration.ofSeconds(5), Duration.ofSeconds(75), 1000, 10, 10, Duration.ZERO, null, true);
    private final ClientPace pace = new ClientPace(config, System::nanoTime);
    private final EmbeddedChannel channel = new EmbeddedChannel(pace);

    @AfterEach
    void nothingLeftInTheChannel() {
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private void read(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
        ReferenceCountUtil.release(channel.readInbound());  // passed on untouched
    }

    @Test
    void aNewConnectionsFirstHeadIsDueFromTheOpening() {
        pace.opened(0);
        assertThat(pace.headDeadline()).isEqualTo(10 * SECOND);
        assertThat(pace.headPartial()).isFalse();
        read("GET / HT");
        assertThat(pace.headDeadline()).isEqualTo(10 * SECOND);  // still from the opening
        assertThat(pace.headPartial()).isTrue();
        pace.decoded(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        assertThat(pace.headDeadline()).isEqualTo(NONE);
    }

    @Test
    void laterHeadsAreDueFromTheirFirstByteAndLineEndsAloneDoNotStartOne() {
        pace.opened(0);
        pace.decoded(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        pace.decoded(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(pace.headDeadline()).isEqualTo(NONE);  // idle between requests: keep-alive's business
        read("\r\n");
        assertThat(pace.headDeadline()).isEqualTo(NONE);
        long before = System.nanoTime();
        read("GET");
        assertThat(pace.headDeadline() - 10 * SECOND).isBetween(before, System.nanoTime());
    }

    @Test
    void bytesOfABodyDoNotStartAHead() {
        pace.opened(0);
        pace.decoded(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"));
        read("body");
        assertThat(pace.headDeadline()).isEqualTo(NONE);
    }

    @Test
    void theBodyDeadlineIsTheGraceOrWhenTheAverageWouldFallBelowTheRate() {
        pace.reading(false, 0);  // started while paused: the clock starts on resuming
        pace.decoded(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"));
        pace.reading(true, 0);
        assertThat(pace.bodyCheck()).isEqualTo(5 * SECOND);
        assertThat(pace.bodyDeadline()).isEqualTo(5 * SECOND);  // 0 bytes: the end of the grace period
        DefaultHttpContent piece = new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[2000]));
        pace.decoded(piece);
        piece.release();
        assertThat(pace.bodyDeadline()).isEqualTo(20 * SECOND);  // 2000 bytes at 100 B/s last 20 s
        assertThat(pace.bodyRate(10 * SECOND)).isEqualTo(200);
    }

    @Test
    void timeNotReadingStopsBothClocks() {
        pace.opened(0);
        pace.decoded(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"));
        long start = pace.bodyCheck() - 5 * SECOND;
        pace.reading(false, start + SECOND);
        assertThat(pace.bodyDeadline()).isEqualTo(NONE);
        pace.reading(true, start + 4 * SECOND);
        assertThat(pace.bodyDeadline()).isEqualTo(start + 8 * SECOND);
        pace.decoded(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(pace.bodyDeadline()).isEqualTo(NONE);
    }

    @Test
    void aZeroRateTurnsTheBodyCheckOff() {
        ClientPace off = new ClientPace(new ServerConfig(8192, 65_536, 100, 1 << 20, Duration.ofSeconds(10), 0,
                Duration.ofSeconds(5), Duration.ofSeconds(75), 1000, 10, 10, Duration.ZERO, null, true),
                System::nanoTime);
        off.decoded(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"));
        assertThat(off.bodyCheck()).isEqualTo(NONE);
        assertThat(off.bodyDeadline()).isEqualTo(NONE);
    }
}
