package dev.meridian.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH's benchmark threads made as Netty makes its event loops' ({@code FastThreadLocalThread}s), for the codec
 * benchmarks: what the codecs run on in the proxy, where Netty's {@code Recycler} pools (the slices of a body among
 * them) and a {@code FastThreadLocal} is an array read. On a plain thread the recycler pools nothing. Selected with
 * {@code -Djmh.executor=CUSTOM -Djmh.executor.class=dev.meridian.bench.EventLoopThreads}.
 */
public final class EventLoopThreads extends ThreadPoolExecutor {
    /** The constructor JMH calls for a custom executor. */
    public EventLoopThreads(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
