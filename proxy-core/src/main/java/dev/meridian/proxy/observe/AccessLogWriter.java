package dev.meridian.proxy.observe;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.jctools.queues.MessagePassingQueue;

/**
 * The one thread that formats and writes access log lines. It drains the queue in batches, flushes when the queue
 * runs dry, and then parks with a doubling back-off (up to {@link #MAX_PARK_NANOS}), so an idle proxy costs a few
 * dozen wake-ups a second and the event loops never have to wake it.
 */
final class AccessLogWriter {
    private static final Logger LOG = System.getLogger(AccessLogWriter.class.getName());
    static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** At a million lines a second, 20 ms of lines is far below the default queue of 65,536. */
    static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int BATCH = 1024;

    private final MessagePassingQueue<AccessLogEntry> queue;
    private final LogSink sink;
    private final String where;
    private final LongAdder writeErrors;
    private final Thread thread;
    private final StringBuilder line = new StringBuilder(512);
    private volatile boolean running = true;
    /** Read once running is false: whether the thread may stop yet (a retired log waits for its last exchange). */
    private volatile BooleanSupplier mayStop = () -> true;
    private boolean reportedFailure;

    AccessLogWriter(MessagePassingQueue<AccessLogEntry> queue, LogSink sink, String where, LongAdder writeErrors) {
        this.queue = queue;
        this.sink = sink;
        this.where = where;
        this.writeErrors = writeErrors;
        this.thread = new Thread(this::run, "meridian-access-log");
        thread.setDaemon(true);  // a stuck disk must not keep the JVM alive after close gave up on it
    }

    /** Starts the thread; once, whoever asks again. */
    void start() {
        if (thread.getState() == Thread.State.NEW) {
            thread.start();
        }
    }

    /**
     * Asks the thread to stop once {@code mayStop} says so, after writing what is queued by then; returns at once.
     * Until then it goes on writing whatever arrives.
     */
    void stopWhen(BooleanSupplier mayStop) {
        this.mayStop = mayStop;
        running = false;
        LockSupport.unpark(thread);
    }

    /** Whether the thread ran and is done: the sink is closed. */
    boolean finished() {
        return thread.getState() == Thread.State.TERMINATED;
    }

    /** Closes the sink of a writer whose thread never started. */
    void closeUnstarted() {
        try {
            sink.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "access log " + where + ": close failed: " + e);
        }
    }

    /** Asks the thread to write what is queued and stop; waits up to {@code timeout} for it. */
    void stop(Duration timeout) {
        mayStop = () -> true;
        running = false;
        LockSupport.unpark(thread);
        if (thread.getState() == Thread.State.NEW) {
            closeUnstarted();
            return;
        }
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long park = MIN_PARK_NANOS;
        while (true) {
            // Read before draining: what was queued before stop(), or before the last hold was released, is written.
            boolean stopping = !running && mayStop.getAsBoolean();
            int n = queue.drain(this::write, BATCH);
            if (n > 0) {
                park = MIN_PARK_NANOS;
                continue;
            }
            flush();
            if (stopping) {
                break;
            }
            LockSupport.parkNanos(this, park);
            park = Math.min(park * 2, MAX_PARK_NANOS);
        }
        try {
            sink.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "access log " + where + ": close failed: " + e);
        }
    }

    /** Drains the queue once without the thread; for tests. */
    int drainOnce() {
        int n = queue.drain(this::write);
        flush();
        return n;
    }

    private void write(AccessLogEntry entry) {
        line.setLength(0);
        AccessLogFormat.append(line, entry);
        try {
            if (sink.write(line.toString().getBytes(StandardCharsets.UTF_8))) {
                recovered();
            } else {
                writeErrors.increment();
            }
        } catch (IOException | RuntimeException e) {
            writeErrors.increment();
            failed(e);
        }
    }

    private void flush() {
        try {
            sink.flush();
        } catch (IOException e) {
            failed(e);
        }
    }

    private void failed(Exception e) {
        if (!reportedFailure) {
            reportedFailure = true;
            LOG.log(Level.ERROR, "access log " + where + " cannot be written (" + e
                    + "); requests are served, their lines lost (meridian counts them) until it can");
        }
    }

    private void recovered() {
        if (reportedFailure) {
            reportedFailure = false;
            LOG.log(Level.INFO, "access log " + where + " is written again");
        }
    }
}
