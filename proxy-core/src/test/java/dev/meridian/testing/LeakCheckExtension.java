package dev.meridian.testing;

import dev.meridian.proxy.http1.PooledMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer (or a parsed request never released) while it ran. Registered for every test class through
 * JUnit's extension auto-detection (see junit-platform.properties).
 *
 * <p>Netty only notices a leak when a collected buffer's phantom reference is polled, which happens on a later
 * allocation; so after the class, collect garbage and allocate a few tracked buffers (and poll the detectors of
 * pooled requests and responses, which only their next message would) to flush pending reports.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("tests must run with -Dio.netty.leakDetection.level=paranoid");
        }
        flushReports();
        FailingLeakDetector.drain();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        flushReports();
        List<String> leaks = FailingLeakDetector.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leak(s) reported during "
                    + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    /** The leaks reported so far, after making Netty report the pending ones; for engines other than Jupiter. */
    public static List<String> collectLeaks() {
        flushReports();
        return FailingLeakDetector.drain();
    }

    private static void flushReports() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            System.runFinalization();
            for (ByteBufAllocator alloc : new ByteBufAllocator[] {
                ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT}) {
                for (int i = 0; i < 8; i++) {
                    ByteBuf b = alloc.buffer(16);
                    b.release();
                }
            }
            PooledMessage.pollLeakReports();
        }
    }

}
