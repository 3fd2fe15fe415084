package dev.meridian.testing;

import dev.meridian.proxy.http1.RequestHeadParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer (or a parsed request never released) while it ran. Registered for every test class through
 * JUnit's extension auto-detection (see junit-platform.properties).
 *
 * <p>Netty only notices a leak when a collected buffer's phantom reference is polled, which happens on a later
 * allocation; so after the class, collect garbage and allocate a few tracked buffers (and parse a request, whose
 * detector is polled by the next request tracked) to flush pending reports.
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
            pollRequestLeaks();
        }
    }

    /** A request tracked by the leak detector makes it report the requests collected unreleased before it. */
    static void pollRequestLeaks() {
        ByteBuf head = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: h\r\n\r\n", StandardCharsets.ISO_8859_1);
        try {
            RequestHeadParser parser = new RequestHeadParser(64, 64);
            if (parser.feed(head, 0, head.writerIndex()) != RequestHeadParser.Result.COMPLETE) {
                throw new IllegalStateException(parser.reason());
            }
            parser.take().release();
        } finally {
            head.release();
        }
    }
}
