package dev.meridian.testing;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32;

/**
 * Keep-alive clients sending GETs and POSTs (Content-Length and chunked bodies) through the proxy in a loop, for
 * fault tests. Every request enters a {@link Ledger} as started and leaves it exactly once: responded (any status),
 * closed (the connection ended before a whole response) or hung (no byte within the read timeout). A 200 from a
 * {@link TestBackend} must echo the request's own path, body size and checksum, so a response delivered to the wrong
 * request, or a body cut or spliced on the way, is caught. Bounded: stops on {@link #stop} or its time limit.
 */
public final class MixedLoad implements AutoCloseable {
    /** How long a client waits for the next response byte before it calls the request hung. */
    public static final int READ_TIMEOUT_MILLIS = 5_000;
    /** Bodies up to 96 KiB: some above the default 64 KiB replay buffer, so not every POST can be retried. */
    private static final int MAX_BODY = 96 * 1024;
    private static final int LARGE_BODY = 4 * 1024 * 1024;

    /** Where every request ended; read after {@link #stop} for exact figures. */
    public static final class Ledger {
        final LongAdder started = new LongAdder();
        final LongAdder responded = new LongAdder();
        final LongAdder closed = new LongAdder();
        final LongAdder hung = new LongAdder();
        final Map<String, LongAdder> closedBy = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<Integer, LongAdder> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> corrupt = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> hungRequests = new ConcurrentLinkedQueue<>();
        final AtomicLong slowestNanos = new AtomicLong();

        public long started() {
            return started.sum();
        }

        public long responded() {
            return responded.sum();
        }

        public long closed() {
            return closed.sum();
        }

        public long hung() {
            return hung.sum();
        }

        /** Started but not (yet) ended: 0 once the clients stopped, or a request was lost track of. */
        public long outstanding() {
            return started() - responded() - closed() - hung();
        }

        /** Responses that did not belong to their request, or came from a backend with a wrong body. */
        public List<String> corrupt() {
            return List.copyOf(corrupt);
        }

        public List<String> hungRequests() {
            return List.copyOf(hungRequests);
        }

        /** The longest any request took to end, however it ended. */
        public long slowestMillis() {
            return TimeUnit.NANOSECONDS.toMillis(slowestNanos.get());
        }

        public Map<Integer, Long> statuses() {
            Map<Integer, Long> m = new TreeMap<>();
            statuses.forEach((k, v) -> m.put(k, v.sum()));
            return m;
        }

        @Override
        public String toString() {
            return "started=" + started() + " responded=" + responded() + " closed=" + closed() + " hung=" + hung()
                    + " statuses=" + statuses() + " closedBy=" + closedBy + " slowest=" + slowestMillis() + "ms corrupt=" + corrupt.size();
        }

        void ended(long startNanos) {
            slowestNanos.accumulateAndGet(System.nanoTime() - startNanos, Math::max);
        }
    }

    private final Ledger ledger = new Ledger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch finished;
    private final long deadlineNanos;

    private MixedLoad(InetSocketAddress proxy, int clients, long maxNanos) {
        this.finished = new CountDownLatch(clients);
        this.deadlineNanos = System.nanoTime() + maxNanos;
        for (int i = 0; i < clients; i++) {
            int id = i;
            Thread t = new Thread(() -> loop(proxy, id), "mixed-load-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** Starts {@code clients} looping clients, stopping by themselves after {@code maxSeconds} at the latest. */
    public static MixedLoad start(InetSocketAddress proxy, int clients, int maxSeconds) {
        return new MixedLoad(proxy, clients, TimeUnit.SECONDS.toNanos(maxSeconds));
    }

    public Ledger ledger() {
        return ledger;
    }

    private void loop(InetSocketAddress proxy, int id) {
        SplittableRandom random = new SplittableRandom(id * 7919L + 17);
        RawHttpClient client = null;
        long seq = 0;
        try {
            while (running.get() && System.nanoTime() - deadlineNanos < 0) {
                String path;
                byte[] body;
                boolean chunked = false;
                int kind = (int) (seq % 3);
                if (kind == 0) {
                    path = "/get/" + id + "/" + seq;
                    body = null;
                } else {
                    path = "/post/" + id + "/" + seq;
                    // Now and then a large one, so the upload outgrows socket buffers and backpressure engages.
                    body = new byte[seq % 10 == 1 ? LARGE_BODY : 1 + random.nextInt(MAX_BODY)];
                    random.nextBytes(body);
                    chunked = kind == 2;
                }
                seq++;
                long start = System.nanoTime();
                ledger.started.increment();
                try {
                    if (client == null) {
                        client = new RawHttpClient(proxy);
                        client.setReadTimeout(READ_TIMEOUT_MILLIS);
                    }
                    client.send(request(path, body, chunked));
                    RawHttpClient.Response r = client.read();
                    ledger.responded.increment();
                    ledger.statuses.computeIfAbsent(r.status(), s -> new LongAdder()).increment();
                    ledger.ended(start);
                    check(r, path, body);
                    if ("close".equalsIgnoreCase(r.header("connection"))) {
                        client = closeQuietly(client);
                    }
                } catch (SocketTimeoutException e) {
                    ledger.hung.increment();
                    ledger.hungRequests.add((body == null ? "GET " : "POST ") + path);
                    ledger.ended(start);
                    client = closeQuietly(client);
                } catch (IOException | RuntimeException e) {
                    ledger.closed.increment();
                    ledger.closedBy.computeIfAbsent((body == null ? "GET " : chunked ? "POST-chunked " : "POST ")
                            + e.getClass().getSimpleName() + ": " + e.getMessage(), k -> new LongAdder()).increment();
                    ledger.ended(start);
                    client = closeQuietly(client);
                }
            }
        } finally {
            closeQuietly(client);
            finished.countDown();
        }
    }

    private static byte[] request(String path, byte[] body, boolean chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder(body == null ? "GET " : "POST ").append(path)
                .append(" HTTP/1.1\r\nHost: load.test\r\n");
        if (body != null && chunked) {
            head.append("Transfer-Encoding: chunked\r\n");
        } else if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        out.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null && chunked) {
            // Two chunks, so the proxy re-chunks a body that arrives in pieces.
            int half = body.length / 2;
            chunk(out, body, 0, half);
            chunk(out, body, half, body.length - half);
            out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        } else if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, byte[] body, int from, int length) {
        if (length == 0) {
            return;
        }
        out.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body, from, length);
        out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A backend's 200 says {@code name METHOD uri bytes=N crc=C}: all of it must be this request's. */
    private void check(RawHttpClient.Response r, String path, byte[] body) {
        if (r.status() != 200) {
            return;
        }
        long crc = 0;
        if (body != null) {
            CRC32 c = new CRC32();
            c.update(body);
            crc = c.getValue();
        }
        String expected = (body == null ? "GET " : "POST ") + path + " bytes=" + (body == null ? 0 : body.length)
                + " crc=" + crc;
        String text = r.bodyText();
        if (!text.endsWith(" " + expected) || !text.startsWith(r.header("x-backend") + " ")) {
            ledger.corrupt.add("expected '" + expected + "', got '" + text + "'");
        }
    }

    private static RawHttpClient closeQuietly(RawHttpClient c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // the connection is being dropped anyway
            }
        }
        return null;
    }

    /** Stops the clients and waits (bounded) for each to end its current request. */
    public void stop() throws InterruptedException {
        running.set(false);
        if (!finished.await(2L * READ_TIMEOUT_MILLIS + 5_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("load clients did not stop in time: " + ledger);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
