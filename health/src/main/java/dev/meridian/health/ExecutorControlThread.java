package dev.meridian.health;

import java.lang.System.Logger.Level;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The production control thread: a single-thread scheduler. */
final class ExecutorControlThread implements ControlThread {
    private static final System.Logger LOG = System.getLogger("meridian.health");

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meridian-health");
        t.setDaemon(true);
        return t;
    });

    @Override
    public void execute(Runnable task) {
        try {
            executor.execute(guarded(task));
        } catch (RejectedExecutionException closed) {
            // Outcomes keep arriving while the proxy shuts down; after close() they no longer matter.
        }
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        try {
            executor.schedule(guarded(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            // As in execute: nothing to decide once closed.
        }
    }

    /** A failing task must not kill the thread, or every later status change would be lost. */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "health control task failed", e);
            }
        };
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
