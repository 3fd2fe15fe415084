package dev.meridian.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Steady concurrent GET load through the proxy for failover tests: a few keep-alive clients in a loop, each request
 * recorded with its start time, latency, status and the backend that answered. Bounded: it stops on {@link #stop}
 * or after its time limit, whichever comes first.
 */
public final class LoadDriver implements AutoCloseable {
    /** One request as the client saw it; status 0 when it failed with no response (an I/O error). */
    public record Sample(long startNanos, long latencyNanos, int status, String backend, String error) {
        public boolean failed() {
            return status == 0 || status >= 500;
        }
    }

    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch finished;
    private final long deadlineNanos;

    private LoadDriver(InetSocketAddress proxy, int clients, String path, long maxNanos) {
        this.finished = new CountDownLatch(clients);
        this.deadlineNanos = System.nanoTime() + maxNanos;
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> loop(proxy, path), "load-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** Starts {@code clients} looping clients, stopping by themselves after {@code maxSeconds} at the latest. */
    public static LoadDriver start(InetSocketAddress proxy, int clients, String path, int maxSeconds) {
        return new LoadDriver(proxy, clients, path, TimeUnit.SECONDS.toNanos(maxSeconds));
    }

    private void loop(InetSocketAddress proxy, String path) {
        RawHttpClient client = null;
        try {
            while (running.get() && System.nanoTime() - deadlineNanos < 0) {
                long start = System.nanoTime();
                try {
                    if (client == null) {
                        client = new RawHttpClient(proxy);
                    }
                    RawHttpClient.Response r = client.get("load.test", path);
                    samples.add(new Sample(start, System.nanoTime() - start, r.status(), r.header("x-backend"),
                            r.status() >= 500 ? r.bodyText().strip() : null));
                    if (r.status() >= 500 || "close".equalsIgnoreCase(r.header("connection"))) {
                        client.close();
                        client = null;
                    }
                } catch (IOException | RuntimeException e) {
                    samples.add(new Sample(start, System.nanoTime() - start, 0, null, e.toString()));
                    closeQuietly(client);
                    client = null;
                }
            }
        } finally {
            closeQuietly(client);
            finished.countDown();
        }
    }

    private static void closeQuietly(RawHttpClient c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // the connection is being dropped anyway
            }
        }
    }

    /** Stops the clients and waits (bounded) for them to finish their current request. */
    public void stop() throws InterruptedException {
        running.set(false);
        if (!finished.await(15, TimeUnit.SECONDS)) {
            throw new IllegalStateException("load clients did not stop within 15 s");
        }
    }

    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    public List<Sample> samples(Predicate<Sample> filter) {
        return samples.stream().filter(filter).toList();
    }

    public long count() {
        return samples.size();
    }

    public List<Sample> failures() {
        return samples(Sample::failed);
    }

    /** Requests started after {@code sinceNanos}, counted by the backend that answered them. */
    public Map<String, Integer> sharesSince(long sinceNanos) {
        Map<String, Integer> shares = new TreeMap<>();
        for (Sample s : samples) {
            if (s.startNanos() - sinceNanos >= 0 && s.backend() != null) {
                shares.merge(s.backend(), 1, Integer::sum);
            }
        }
        return shares;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
