package dev.meridian.proxy.http1;

import io.netty.handler.codec.DecoderResult;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCounted;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A message head read by Meridian's parsers into a pooled object: reference-counted as Netty's buffers are, so the
 * pipeline's releases (a handler's queue, an encoder once it wrote the head, a channel closed with messages inside)
 * give it back to its {@link LoopPool}, and whoever keeps it longer (an exchange, for its retries) retains it. A read
 * after the last release fails loudly, as a released buffer's does; a message never released is reported by
 * Netty's leak detector, as a buffer would be. Confined to its connection's event loop, so the count is a plain int.
 */
public abstract class PooledMessage implements ReferenceCounted {
    private static final List<ResourceLeakDetector<PooledMessage>> DETECTORS = new CopyOnWriteArrayList<>();
    /** The fields, as the parser indexed them in the head's bytes. */
    protected final IndexedHeaders headers = IndexedHeaders.pooled();
    private final ResourceLeakDetector<PooledMessage> leaks;
    private int refCnt;
    /** Tracks this use of the object for the leak detector; null when it does not sample it. */
    private ResourceLeakTracker<PooledMessage> leak;
    private DecoderResult decoderResult = DecoderResult.SUCCESS;

    protected PooledMessage(ResourceLeakDetector<PooledMessage> leaks) {
        this.leaks = leaks;
    }

    /** The leak detector of one kind of message: one per class, its reports named after it. */
    @SuppressWarnings("unchecked")
    protected static ResourceLeakDetector<PooledMessage> leakDetector(Class<? extends PooledMessage> type) {
        ResourceLeakDetector<PooledMessage> detector = (ResourceLeakDetector<PooledMessage>) (ResourceLeakDetector<?>)
                ResourceLeakDetectorFactory.instance().newResourceLeakDetector(type);
        DETECTORS.add(detector);
        return detector;
    }

    /**
     * Makes each kind's detector report the messages collected unreleased so far, which it otherwise does only when
     * its next message is tracked: for a test that checks for leaks when it ends.
     */
    public static void pollLeakReports() {
        Probe probe = new Probe();
        for (ResourceLeakDetector<PooledMessage> detector : DETECTORS) {
            ResourceLeakTracker<PooledMessage> tracker = detector.track(probe);
            if (tracker != null) {
                tracker.close(probe);
            }
        }
    }

    /** Tracked only to make a detector look at its queue. */
    private static final class Probe extends PooledMessage {
        Probe() {
            super(null);
        }

        @Override
        protected void recycle() {
        }
    }

    /** A new head is in the object: it is live, held once, by whoever takes it. */
    protected final void live() {
        decoderResult = DecoderResult.SUCCESS;
        refCnt = 1;
        leak = leaks.track(this);
    }

    /** The last holder let go: drop what the head referred to and go back to the pool. */
    protected abstract void recycle();

    protected final void ensureLive() {
        if (refCnt <= 0) {
            throw new IllegalReferenceCountException(0);
        }
    }

    public DecoderResult decoderResult() {
        return decoderResult;
    }

    @Deprecated
    public DecoderResult getDecoderResult() {
        return decoderResult;
    }

    public void setDecoderResult(DecoderResult result) {
        this.decoderResult = Objects.requireNonNull(result, "decoderResult");
    }

    @Override
    public final int refCnt() {
        return refCnt;
    }

    @Override
    public PooledMessage retain() {
        return retain(1);
    }

    @Override
    public PooledMessage retain(int increment) {
        if (increment <= 0) {
            throw new IllegalArgumentException("increment: " + increment);
        }
        ensureLive();
        refCnt += increment;
        return this;
    }

    @Override
    public PooledMessage touch() {
        return this;
    }

    @Override
    public PooledMessage touch(Object hint) {
        if (leak != null) {
            leak.record(hint);
        }
        return this;
    }

    @Override
    public final boolean release() {
        return release(1);
    }

    /** The last release hands the object back to the pool: nothing of this message may be read after it. */
    @Override
    public final boolean release(int decrement) {
        if (decrement <= 0) {
            throw new IllegalArgumentException("decrement: " + decrement);
        }
        if (decrement > refCnt) {
            throw new IllegalReferenceCountException(refCnt, -decrement);
        }
        refCnt -= decrement;
        if (refCnt > 0) {
            return false;
        }
        if (leak != null) {
            leak.close(this);
            leak = null;
        }
        headers.recycle();
        decoderResult = DecoderResult.SUCCESS;
        recycle();
        return true;
    }
}
