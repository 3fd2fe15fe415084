package dev.meridian.proxy.observe;

import dev.meridian.config.AccessLogConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.jctools.queues.MpscArrayQueue;

/**
 * The event loops' side of the access log: a bounded lock-free queue in front of one writer thread. An entry that
 * finds the queue full is counted as dropped and forgotten; the data plane never waits for the disk.
 */
public final class AccessLog implements AutoCloseable {
    /** Logs nothing; what a server without {@code access_log} uses. */
    public static final AccessLog OFF = new AccessLog(null, null, null);

    private final MpscArrayQueue<AccessLogEntry> queue;
    private final LongAdder dropped;
    private final AccessLogWriter writer;

    AccessLog(MpscArrayQueue<AccessLogEntry> queue, LongAdder dropped, AccessLogWriter writer) {
        this.queue = queue;
        this.dropped = dropped;
        this.writer = writer;
    }

    /**
     * Starts the writer thread for the config, or returns {@link #OFF} when the log is off. Never fails for a file
     * that cannot be written: the writer reports that and counts the lines it loses.
     *
     * @param dropped     counts entries the full queue refused
     * @param writeErrors counts lines lost to a failing file
     */
    public static AccessLog start(AccessLogConfig config, LongAdder dropped, LongAdder writeErrors) {
        if (!config.enabled()) {
            return OFF;
        }
        LogSink sink = config.toStdout() ? new StdoutSink()
                : new RotatingFileSink(Path.of(config.path()), config.maxSize(), config.maxFiles(), System::nanoTime);
        MpscArrayQueue<AccessLogEntry> queue = new MpscArrayQueue<>(config.queue());
        AccessLogWriter writer = new AccessLogWriter(queue, sink, config.path(), writeErrors);
        writer.start();
        return new AccessLog(queue, dropped, writer);
    }

    /** A log with a queue nobody drains: for tests of what happens when it is full. */
    static AccessLog undrained(int capacity, LongAdder dropped) {
        return new AccessLog(new MpscArrayQueue<>(capacity), dropped, null);
    }

    public boolean enabled() {
        return queue != null;
    }

    /** From any thread; never blocks. */
    public void offer(AccessLogEntry entry) {
        if (!queue.offer(entry)) {
            dropped.increment();
        }
    }

    /** Waits up to {@code timeout} for the writer to write what is queued, then lets it go. */
    public void close(Duration timeout) {
        if (writer != null) {
            writer.stop(timeout);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}
