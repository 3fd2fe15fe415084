package dev.meridian.proxy.observe;

import dev.meridian.config.AccessLogConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's access log across reloads: the one the running config describes, swapped when a reload changes the
 * {@code access_log} section. The event loops do one volatile read to take the current log; a log replaced by a
 * reload keeps its writer until the exchanges that began with it have handed over their entries, then it writes what
 * is queued and closes its file on its own thread.
 *
 * <p>A reload calls {@link #prepare} first (the only step that can fail), then {@link #swap} once the rest of the
 * config is in, or {@link #discard} when it is not.
 */
public final class AccessLogSwitch {
    private final LongAdder dropped;
    private final LongAdder writeErrors;
    private volatile AccessLog current = AccessLog.OFF;
    /** Replaced logs whose writer may still run; kept for shutdown. Control threads only, under this. */
    private final List<AccessLog> retiring = new ArrayList<>();

    /**
     * Off until {@link #start}.
     *
     * @param dropped     counts entries a full queue refused, whichever log's
     * @param writeErrors counts lines lost to a failing file, whichever log's
     */
    public AccessLogSwitch(LongAdder dropped, LongAdder writeErrors) {
        this.dropped = dropped;
        this.writeErrors = writeErrors;
    }

    /**
     * The log of the config the server starts with. A file that cannot be opened does not stop the proxy: the writer
     * reports it, retries, and counts the lines it loses.
     */
    public synchronized void start(AccessLogConfig config) {
        swap(AccessLog.start(config, dropped, writeErrors));
    }

    /**
     * Event loop, as an exchange begins: the log its entry goes to, held until {@link AccessLog#release}; {@link
     * AccessLog#OFF} (not held) when the log is off.
     */
    public AccessLog acquire() {
        while (true) {
            AccessLog log = current;
            // A log retired between the read and the hold refuses it; current already names its successor then.
            if (!log.enabled() || log.hold()) {
                return log;
            }
        }
    }

    /** The log new exchanges take; for tests. */
    AccessLog current() {
        return current;
    }

    /** The section in force. */
    public AccessLogConfig config() {
        return current.config();
    }

    /**
     * The log a reload to {@code next} would use: the running one when the section is the same in effect (nothing is
     * reopened), else a new one with its file already open and its writer not yet started. Off the event loop.
     *
     * @throws IllegalArgumentException when the new file cannot be opened; nothing changed then
     */
    public synchronized AccessLog prepare(AccessLogConfig next) {
        AccessLogConfig now = current.config();
        if (now.equals(next) || !now.enabled() && !next.enabled()) {
            return current;
        }
        return AccessLog.open(next, dropped, writeErrors);
    }

    /** Puts a prepared log in force and retires the one it replaces; returns at once. */
    public synchronized void swap(AccessLog next) {
        AccessLog old = current;
        if (next == old) {
            return;
        }
        next.startWriter();
        current = next;
        if (old.enabled()) {
            old.retire();
            retiring.add(old);
        }
        retiring.removeIf(AccessLog::finished);
    }

    /** Lets go of a prepared log the reload did not put in force. */
    public synchronized void discard(AccessLog prepared) {
        if (prepared != current) {
            prepared.abandon();
        }
    }

    /** Replaced logs whose writer has not finished yet; for tests and status. */
    synchronized int retiring() {
        retiring.removeIf(AccessLog::finished);
        return retiring.size();
    }

    /**
     * Writes what every log has queued, waiting up to {@code timeout} in all, and stops their writers; for shutdown,
     * after the event loops stopped. The switch is off afterwards.
     */
    public synchronized void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<AccessLog> all = new ArrayList<>(retiring);
        all.add(current);
        current = AccessLog.OFF;
        retiring.clear();
        for (AccessLog log : all) {
            log.close(Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadline - System.nanoTime())));
        }
    }
}
