package dev.meridian.proxy.http1;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Objects of one kind kept per thread (an event loop) for reuse: the parsed messages and the arrays their heads are
 * read into, given back once released, so a message costs no allocation once the loop has as many as it has in
 * flight. Each thread has its own, so taking and giving back need no lock; an object released on another thread
 * than the one that took it joins that thread's pool, which only that thread uses.
 *
 * <p>Idle connections hold none: a connection takes one when a head starts and the message gives it back when it is
 * done with, so 10,000 idle keep-alive connections cost the pool nothing.
 *
 * @param <T> what is pooled
 */
public final class LoopPool<T> {
    /** Kept per loop: beyond what a loop has in flight at once, they would only sit. */
    private static final int MAX_IDLE = 1024;

    private final FastThreadLocal<Idle> idle = new FastThreadLocal<>() {
        @Override
        protected Idle initialValue() {
            return new Idle();
        }
    };
    private final Supplier<T> make;

    private final class Idle {
        private Object[] kept = new Object[16];
        private int count;
    }

    /** @param make a new object when this thread has none to give */
    public LoopPool(Supplier<T> make) {
        this.make = make;
    }

    /** One given back on this thread, or a new one. */
    @SuppressWarnings("unchecked")
    public T take() {
        Idle pool = idle.get();
        if (pool.count == 0) {
            return make.get();
        }
        T t = (T) pool.kept[--pool.count];
        pool.kept[pool.count] = null;
        return t;
    }

    /** Keeps {@code t}, which nobody holds any more, for a later take on this thread. */
    public void give(T t) {
        Idle pool = idle.get();
        if (pool.count == pool.kept.length) {
            if (pool.count == MAX_IDLE) {
                return;
            }
            pool.kept = Arrays.copyOf(pool.kept, Math.min(MAX_IDLE, pool.count * 2));
        }
        pool.kept[pool.count++] = t;
    }

    /** How many this thread keeps; for tests. */
    public int idleCount() {
        return idle.get().count;
    }
}
