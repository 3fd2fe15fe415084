package dev.meridian.health;

/**
 * The one thread that decides: every status change, every republish and every event happens on it, so no two
 * decisions race and the event loops never take a lock or write a log line.
 */
public interface ControlThread extends AutoCloseable {
    /** Runs {@code task} on the control thread, after the tasks already queued. */
    void execute(Runnable task);

    /** Runs {@code task} on the control thread once {@code delayNanos} have passed on the health clock. */
    void schedule(Runnable task, long delayNanos);

    /** Stops running tasks; queued and scheduled ones are dropped. */
    @Override
    void close();

    /** A daemon thread named {@code meridian-health}. */
    static ControlThread newSingleThread() {
        return new ExecutorControlThread();
    }
}
