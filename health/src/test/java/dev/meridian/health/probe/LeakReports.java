package dev.meridian.health.probe;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. This module's test JVM installs no custom
 * leak detector, so the reports are caught where Netty writes them: its JDK logger for the detector.
 *
 * <p>Netty only notices a leak when a collected buffer's phantom reference is polled, on a later allocation; so after
 * the class, collect garbage and allocate a few tracked buffers to flush pending reports.
 */
public final class LeakReports implements BeforeAllCallback, AfterAllCallback {
    private static final Logger DETECTOR_LOG = Logger.getLogger(ResourceLeakDetector.class.getName());
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()
                    && String.valueOf(record.getMessage()).contains("LEAK")) {
                LEAKS.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Override
    public void beforeAll(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("tests must run with -Dio.netty.leakDetection.level=paranoid");
        }
        if (!(InternalLoggerFactory.getDefaultFactory() instanceof JdkLoggerFactory)) {
            throw new IllegalStateException("leak reports are read from JDK logging, but Netty logs through "
                    + InternalLoggerFactory.getDefaultFactory());
        }
        DETECTOR_LOG.removeHandler(CAPTURE);
        DETECTOR_LOG.addHandler(CAPTURE);
        flushReports();
        LEAKS.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = takeReports();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " ByteBuf leak(s) reported during "
                    + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    /** Flushes and takes the reports so far; for the test that proves this guard sees a real leak. */
    static List<String> takeReports() {
        flushReports();
        List<String> leaks = List.copyOf(LEAKS);
        LEAKS.removeAll(leaks);
        return leaks;
    }

    static void flushReports() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (ByteBufAllocator alloc : new ByteBufAllocator[] {
                ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT}) {
                for (int i = 0; i < 8; i++) {
                    ByteBuf b = alloc.buffer(16);
                    b.release();
                }
            }
        }
    }
}
