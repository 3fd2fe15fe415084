package dev.meridian.proxy.admin;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every admin change as one JSON line: time, caller address, role, token name (never the token), action, target,
 * before, after, version and result. Callers only enqueue, into a bounded queue, so no admin call waits on a disk; one
 * writer thread appends and flushes each line. Without a file the lines go to the {@code meridian.audit} logger.
 */
final class AuditLog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("meridian.audit");
    private static final int CAPACITY = 4_096;
    /** Compared by identity: no JSON line is this instance. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String STOP = new String("stop");

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final BufferedWriter file;
    private final Thread writer;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();

    /** One entry; {@code before}, {@code after} and {@code result} are JSON values (maps, lists, strings). */
    record Entry(Instant time, Caller caller, String action, Object target, Object before, Object after, long version,
                 Object result, boolean dryRun) {
    }

    /**
     * @param path the file to append to, created if missing; null: the logger
     * @throws UncheckedIOException when the file cannot be opened: an audit trail that silently goes nowhere is worse
     *                              than a proxy that does not start
     */
    AuditLog(String path) {
        if (path == null) {
            file = null;
        } else {
            try {
                file = Files.newBufferedWriter(Path.of(path), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the admin audit log " + path + ": " + e.getMessage(), e);
            }
        }
        writer = new Thread(this::drain, "meridian-audit");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues the entry; never blocks. A full queue drops it and counts the drop (and logs a warning). */
    void append(Entry e) {
        String line = Json.line(Json.obj(
                "time", e.time().toString(),
                "caller", e.caller().address(),
                "role", e.caller().role(),
                "token", e.caller().token(),
                "action", e.action(),
                "target", e.target(),
                "dry_run", e.dryRun(),
                "before", e.before(),
                "after", e.after(),
                "version", e.version(),
                "result", e.result()));
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
            LOG.log(Level.WARNING, "audit queue full, entry dropped: " + line);
        }
    }

    /** Lines written so far; for tests and metrics. */
    long written() {
        return written.get();
    }

    long dropped() {
        return dropped.get();
    }

    private void drain() {
        try {
            while (true) {
                String line = queue.take();
                if (line == STOP) {
                    return;
                }
                write(line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(String line) {
        if (file == null) {
            LOG.log(Level.INFO, line);
            written.incrementAndGet();
            return;
        }
        try {
            file.write(line);
            file.newLine();
            file.flush();
            written.incrementAndGet();
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot write the admin audit log, entry: " + line, e);
        }
    }

    /** Writes what is queued (bounded wait), then closes the file. */
    @Override
    public void close() {
        try {
            if (queue.offer(STOP, 1, TimeUnit.SECONDS)) {
                writer.join(TimeUnit.SECONDS.toMillis(2));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            writer.interrupt();
            if (file != null) {
                try {
                    file.close();
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "closing the admin audit log: " + e.getMessage());
                }
            }
        }
    }
}
