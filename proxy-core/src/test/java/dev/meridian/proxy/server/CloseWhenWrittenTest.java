package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The last write of a closing connection may never complete: a client that stops reading leaves it pending once
 * the kernel's buffers are full (megabytes on loopback, so a socket test cannot reach it reliably). The bound must
 * close the connection anyway.
 */
class CloseWhenWrittenTest {
    @Test
    void aWriteThatNeverCompletesIsClosedAtTheBound() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ChannelPromise neverWritten = ch.newPromise();
        LingeringClose.closeWhenWritten(neverWritten, Duration.ofMillis(300));
        ch.advanceTimeBy(299, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aCompletedWriteClosesAtOnce() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ChannelPromise written = ch.newPromise();
        LingeringClose.closeWhenWritten(written, Duration.ofSeconds(75));
        assertThat(ch.isOpen()).isTrue();
        written.setSuccess();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }
}
