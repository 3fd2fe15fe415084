package dev.meridian.proxy.observe;

import dev.meridian.config.AccessLogConfig;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.jctools.queues.MpscArrayQueue;

/**
 * One access log as a config section describes it: a bounded lock-free queue in front of one writer thread. An entry
 * that finds the queue full is counted as dropped and forgotten; the data plane never waits for the disk.
 *
 * <p>A reload can replace it ({@link AccessLogSwitch}). An exchange therefore {@link #hold holds} the log it began
 * with and {@link #release releases} it after its entry is offered; a retired log's writer keeps writing until the
 * last hold is released, so a request in flight across a reload is never lost.
 */
public final class AccessLog implements AutoCloseable {
    /** Logs nothing; what a server without {@code access_log} uses. */
    public static final AccessLog OFF = new AccessLog(AccessLogConfig.OFF, null, null, null);

    private final AccessLogConfig config;
    private final MpscArrayQueue<AccessLogEntry> queue;
    private final LongAdder dropped;
    private final AccessLogWriter writer;
    // Two ever-growing counts rather than one that goes up and down: read released first, then acquired, and equal
    // values prove no hold was open in between (a LongAdder's sum of a monotonic count lies between its start and end).
    private final LongAdder acquired = new LongAdder();
    private final LongAdder released = new LongAdder();
    private volatile boolean retiring;

    AccessLog(AccessLogConfig config, MpscArrayQueue<AccessLogEntry> queue, LongAdder dropped,
              AccessLogWriter writer) {
        this.config = config;
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
        LogSink sink = config.toStdout() ? new StdoutSink() : fileSink(config);
        AccessLog log = create(config, sink, dropped, writeErrors);
        log.writer.start();
        return log;
    }

    /**
     * Opens the config's file now, for a reload: a file that cannot be opened must reject the reload while the running
     * log goes on. The writer starts with {@link #startWriter}; a log never started is let go with {@link #abandon}.
     *
     * @throws IllegalArgumentException naming the file and why it cannot be opened
     */
    static AccessLog open(AccessLogConfig config, LongAdder dropped, LongAdder writeErrors) {
        if (!config.enabled()) {
            return OFF;
        }
        LogSink sink;
        if (config.toStdout()) {
            sink = new StdoutSink();
        } else {
            RotatingFileSink file = fileSink(config);
            try {
                file.openNow();
            } catch (IOException e) {
                throw new IllegalArgumentException("access_log: cannot open " + config.path() + ": " + reason(e)
                        + " (hint: create the directory or make it writable; the running access log stays)", e);
            }
            sink = file;
        }
        return create(config, sink, dropped, writeErrors);
    }

    /**
     * Why a reload to {@code config} would fail to open its file, without opening or creating anything (for a dry
     * run): null when it would open, as far as permissions say. The real open creates missing directories, so what
     * counts is the file if it exists, else its nearest existing ancestor.
     */
    public static String wouldNotOpen(AccessLogConfig config) {
        if (!config.enabled() || config.toStdout()) {
            return null;
        }
        Path file = Path.of(config.path()).toAbsolutePath();
        String why = null;
        if (Files.exists(file)) {
            if (!Files.isRegularFile(file) || !Files.isWritable(file)) {
                why = "permission denied on " + file + " (or it is not a regular file)";
            }
        } else {
            Path existing = file.getParent();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing != null && !Files.isDirectory(existing)) {
                why = existing + " exists and is not a directory";
            } else if (existing != null && !Files.isWritable(existing)) {
                why = "permission denied on " + existing;
            }
        }
        return why == null ? null : "access_log: cannot open " + config.path() + ": " + why
                + " (hint: create the directory or make it writable; the running access log stays)";
    }

    private static RotatingFileSink fileSink(AccessLogConfig config) {
        return new RotatingFileSink(Path.of(config.path()), config.maxSize(), config.maxFiles(), System::nanoTime);
    }

    private static AccessLog create(AccessLogConfig config, LogSink sink, LongAdder dropped, LongAdder writeErrors) {
        MpscArrayQueue<AccessLogEntry> queue = new MpscArrayQueue<>(config.queue());
        return new AccessLog(config, queue, dropped, new AccessLogWriter(queue, sink, config.path(), writeErrors));
    }

    /** What a person can act on, without the exception's class name. */
    static String reason(IOException e) {
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + " exists and is not a directory";
        }
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + " does not exist and cannot be created";
        }
        if (e instanceof AccessDeniedException f) {
            return "permission denied on " + f.getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        return String.valueOf(e.getMessage());
    }

    /** A log with a queue nobody drains: for tests of what happens when it is full. */
    static AccessLog undrained(int capacity, LongAdder dropped) {
        return new AccessLog(AccessLogConfig.OFF, new MpscArrayQueue<>(capacity), dropped, null);
    }

    public boolean enabled() {
        return queue != null;
    }

    /** The section this log was built from; {@link AccessLogConfig#OFF} for {@link #OFF}. */
    public AccessLogConfig config() {
        return config;
    }

    /** From any thread; never blocks. */
    public void offer(AccessLogEntry entry) {
        if (!queue.offer(entry)) {
            dropped.increment();
        }
    }

    /**
     * An exchange begins with this log; event loop, enabled logs only.
     *
     * @return false when the log is being retired: the caller takes the log that replaced it
     */
    boolean hold() {
        acquired.increment();
        if (retiring) {
            released.increment();
            return false;
        }
        return true;
    }

    /** The exchange's entry, if any, was offered; the log may close once every hold is released. */
    public void release() {
        released.increment();
    }

    private boolean unheld() {
        long r = released.sum();
        return acquired.sum() == r;
    }

    void startWriter() {
        if (writer != null) {
            writer.start();
        }
    }

    /**
     * Replaced by another log: no new exchange takes this one, and its writer stops once the exchanges that hold it
     * have handed over their entries and the queue is written. Returns at once; the writer thread does the waiting.
     */
    void retire() {
        retiring = true;
        if (writer != null) {
            writer.stopWhen(this::unheld);
        }
    }

    /** Whether the writer has written its last line and closed its sink (or never had one). */
    boolean finished() {
        return writer == null || writer.finished();
    }

    /** A log opened for a reload that did not happen: closes its sink; its writer never ran. */
    void abandon() {
        if (writer != null) {
            writer.closeUnstarted();
        }
    }

    /**
     * Waits up to {@code timeout} for the writer to write what is queued, then lets it go, whether or not exchanges
     * still hold the log: for shutdown, after the event loops stopped.
     */
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
