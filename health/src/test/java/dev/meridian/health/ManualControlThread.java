package dev.meridian.health;

import java.util.ArrayDeque;
import java.util.PriorityQueue;

/**
 * The control thread run by the test itself: posted tasks run at once on the caller's thread (after any task
 * already running, as a queue would), scheduled ones when {@link #advance} moves the fake clock past their time.
 */
final class ManualControlThread implements ControlThread {
    private record Timed(long due, long seq, Runnable task) {
    }

    private final FakeClock clock;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private final PriorityQueue<Timed> timers = new PriorityQueue<>((a, b) ->
            a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long seq;
    private boolean running;
    private boolean closed;

    ManualControlThread(FakeClock clock) {
        this.clock = clock;
    }

    @Override
    public void execute(Runnable task) {
        if (closed) {
            return;
        }
        queue.add(task);
        drain();
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        if (!closed) {
            timers.add(new Timed(clock.nanoTime() + Math.max(0, delayNanos), seq++, task));
        }
    }

    /** Moves the clock forward by {@code nanos}, running each timer at its own time on the way. */
    void advance(long nanos) {
        long target = clock.nanoTime() + nanos;
        while (!timers.isEmpty() && timers.peek().due <= target) {
            Timed t = timers.poll();
            clock.set(Math.max(clock.nanoTime(), t.due));
            queue.add(t.task);
            drain();
        }
        clock.set(target);
    }

    void advanceMillis(long millis) {
        advance(millis * 1_000_000L);
    }

    private void drain() {
        if (running) {
            return;
        }
        running = true;
        try {
            Runnable r;
            while ((r = queue.poll()) != null) {
                r.run();
            }
        } finally {
            running = false;
        }
    }

    @Override
    public void close() {
        closed = true;
        queue.clear();
        timers.clear();
    }
}
