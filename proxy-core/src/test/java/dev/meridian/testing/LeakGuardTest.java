package dev.meridian.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The guard that fails the build on a leak must itself see a leak: here one is made on purpose. */
class LeakGuardTest {

    @Test
    void aDroppedBufferIsReportedToTheGuard() {
        leakOneBuffer();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            System.gc();
            // Leaks are noticed when a later tracked allocation polls the reference queue.
            ByteBufAllocator.DEFAULT.buffer(8).release();
            return FailingLeakDetector.drain().stream().anyMatch(l -> l.contains("LeakGuardTest.leakOneBuffer"));
        });
        // drain() consumed the report, so this class itself passes the afterAll check.
        assertThat(FailingLeakDetector.drain()).isEmpty();
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = ByteBufAllocator.DEFAULT.buffer(64);
        leaked.writeLong(42);
    }
}
