package dev.meridian.testing;

import static org.awaitility.Awaitility.await;

import dev.meridian.proxy.http1.PooledMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Makes Netty's leak detector report now rather than whenever a later allocation happens to poll it, for a test
 * that wants its own leaks asserted where they happened. Garbage is collected until two canary buffers, leaked one
 * after the other, were both reported: the reference handler enqueues one collection's references before the next
 * one's, so by then every buffer that was already garbage when the sweep began has been reported too.
 */
public final class LeakSweep {
    private static final String CANARY = "leak-sweep-canary-";
    private static final AtomicInteger CANARIES = new AtomicInteger();

    private LeakSweep() {
    }

    /** The leaks reported so far and by the sweep, canaries left out; they no longer reach the class's check. */
    public static List<String> sweep(Duration bound) {
        List<String> reports = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            // Distinct hints: the detector reports a given trace only once.
            String mark = CANARY + CANARIES.incrementAndGet() + "!";
            leakCanary(mark);
            try {
                await().atMost(bound).until(() -> {
                    System.gc();
                    ByteBufAllocator.DEFAULT.buffer(8).release();  // a tracked allocation polls the reference queue
                    PooledMessage.pollLeakReports();
                    reports.addAll(FailingLeakDetector.drain());
                    return reports.stream().anyMatch(r -> r.contains(mark));
                });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("the leak detector did not report canary " + mark + " within " + bound
                        + "; it reported " + reports.size() + ":\n" + String.join("\n", reports), e);
            }
        }
        return reports.stream().filter(r -> !r.contains(CANARY)).toList();
    }

    private static void leakCanary(String mark) {
        ByteBuf canary = ByteBufAllocator.DEFAULT.buffer(8);
        canary.touch(mark);
    }
}
