package dev.meridian.proxy.server;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One instance of T per event loop, built once, so each loop works on its own state with no sharing.
 * The map is final and never changes after construction, hence safely published to every loop.
 */
public final class PerLoop<T> {
    private final Map<EventExecutor, T> byLoop;

    public PerLoop(EventLoopGroup group, Function<EventLoop, T> factory) {
        Map<EventExecutor, T> m = new IdentityHashMap<>();
        for (EventExecutor e : group) {
            m.put(e, factory.apply((EventLoop) e));
        }
        byLoop = Collections.unmodifiableMap(m);
    }

    /** This loop's instance; call only from that loop. */
    public T get(EventExecutor loop) {
        T t = byLoop.get(loop);
        if (t == null) {
            throw new IllegalStateException("not an event loop of this group: " + loop);
        }
        return t;
    }

    public Collection<T> all() {
        return byLoop.values();
    }
}
