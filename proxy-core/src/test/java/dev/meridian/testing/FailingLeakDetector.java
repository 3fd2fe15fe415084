package dev.meridian.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detector, but every report is also recorded so {@link LeakCheckExtension} can fail the test class
 * that leaked. Installed with {@code -Dio.netty.customResourceLeakDetector} by the surefire configuration.
 */
public final class FailingLeakDetector<T> extends ResourceLeakDetector<T> {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    public FailingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    /** The constructor Netty's factory tries first; without it, it logs a SEVERE line before using the other. */
    @SuppressWarnings("deprecation")
    public FailingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        super(resourceType, samplingInterval, maxActive);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add("LEAK: " + resourceType + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add("LEAK: " + resourceType + " (untraced)");
        super.reportUntracedLeak(resourceType);
    }

    /** The leaks reported since the last call, cleared. */
    static List<String> drain() {
        List<String> copy = List.copyOf(LEAKS);
        LEAKS.removeAll(copy);
        return copy;
    }
}
