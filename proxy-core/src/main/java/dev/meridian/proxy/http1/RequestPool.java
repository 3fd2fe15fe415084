package dev.meridian.proxy.http1;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * The request objects of one thread (an event loop), with the arrays their heads are parsed into, kept for the next
 * heads once their requests are released: a request costs no allocation once the loop has as many as it has requests
 * in flight. Each thread has its own, so taking and giving back need no lock; a request released on another thread
 * than the one that parsed it joins that thread's pool, which only that thread uses.
 *
 * <p>Idle connections hold none: a connection takes one when a head starts and gives it back when its request is
 * done with (or refused), so 10,000 idle keep-alive connections cost the pool nothing.
 */
final class RequestPool {
    /** Requests kept per loop: beyond what a loop has in flight at once, they would only sit. */
    private static final int MAX_IDLE = 1024;
    /** A request whose head needed more is let go rather than kept: heads that large are rare. */
    private static final int MAX_KEPT_BYTES = 16 * 1024;

    private static final FastThreadLocal<RequestPool> LOCAL = new FastThreadLocal<>() {
        @Override
        protected RequestPool initialValue() {
            return new RequestPool();
        }
    };

    private ParsedRequest[] idle = new ParsedRequest[16];
    private int count;

    private RequestPool() {
    }

    /** A request to parse a head into: one given back on this thread, or a new one. */
    static ParsedRequest take() {
        RequestPool pool = LOCAL.get();
        if (pool.count == 0) {
            return new ParsedRequest();
        }
        ParsedRequest request = pool.idle[--pool.count];
        pool.idle[pool.count] = null;
        return request;
    }

    /** Keeps {@code request}, released by everyone who held it, for a later head on this thread. */
    static void give(ParsedRequest request) {
        if (request.bytes.length > MAX_KEPT_BYTES) {
            return;
        }
        RequestPool pool = LOCAL.get();
        if (pool.count == pool.idle.length) {
            if (pool.count == MAX_IDLE) {
                return;
            }
            pool.idle = Arrays.copyOf(pool.idle, Math.min(MAX_IDLE, pool.count * 2));
        }
        pool.idle[pool.count++] = request;
    }

    /** How many requests this thread keeps; for tests. */
    static int idleCount() {
        return LOCAL.get().count;
    }
}
