package dev.meridian.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Clients that walk away: each connection sends part of a request, or reads part of a response, and closes (with a
 * FIN or a reset). For fault tests, alongside well-behaved load. Bounded: stops on {@link #stop} or its time limit.
 */
public final class RudeClients implements AutoCloseable {
    /** How each connection misbehaves. */
    public enum Move {
        /** A POST head promising a body, then close. */
        HEAD_ONLY,
        /** A POST head and part of its body, then close. */
        PARTIAL_BODY,
        /** A chunked POST head and one chunk, then close. */
        PARTIAL_CHUNKED,
        /** A GET of a large download, a few KiB of the body read, then close. */
        PARTIAL_DOWNLOAD,
        /** The same, but the close is a reset (SO_LINGER 0). */
        RESET_DOWNLOAD,
        /** A GET the backend answers late; the client leaves before the answer. */
        GIVE_UP_WAITING,
        /** Two GETs and half a POST pipelined, part of the first response read, then close. */
        PIPELINE_AND_LEAVE
    }

    private static final Move[] MOVES = Move.values();
    private static final int DOWNLOAD_BYTES = 8 * 1024 * 1024;

    private final Map<Move, LongAdder> made = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch finished;
    private final long deadlineNanos;

    private RudeClients(InetSocketAddress proxy, int clients, long maxNanos) {
        this.finished = new CountDownLatch(clients);
        this.deadlineNanos = System.nanoTime() + maxNanos;
        for (int i = 0; i < clients; i++) {
            int id = i;
            Thread t = new Thread(() -> loop(proxy, id), "rude-client-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    public static RudeClients start(InetSocketAddress proxy, int clients, int maxSeconds) {
        return new RudeClients(proxy, clients, TimeUnit.SECONDS.toNanos(maxSeconds));
    }

    private void loop(InetSocketAddress proxy, int id) {
        SplittableRandom random = new SplittableRandom(id * 104729L + 3);
        long seq = 0;
        try {
            while (running.get() && System.nanoTime() - deadlineNanos < 0) {
                Move move = MOVES[(int) (seq % MOVES.length)];
                String path = "/rude/" + id + "/" + seq++;
                try (Socket socket = new Socket()) {
                    socket.connect(proxy, 5_000);
                    socket.setSoTimeout(5_000);
                    make(move, path, socket, random);
                } catch (IOException e) {
                    // The proxy may close first (a fault elsewhere): leaving was the point anyway.
                }
                made.computeIfAbsent(move, m -> new LongAdder()).increment();
            }
        } finally {
            finished.countDown();
        }
    }

    private static void make(Move move, String path, Socket socket, SplittableRandom random) throws IOException {
        OutputStream out = socket.getOutputStream();
        switch (move) {
            case HEAD_ONLY -> write(out, "POST " + path + " HTTP/1.1\r\nHost: load.test\r\nContent-Length: 100000\r\n\r\n");
            case PARTIAL_BODY -> {
                write(out, "POST " + path + " HTTP/1.1\r\nHost: load.test\r\nContent-Length: 100000\r\n\r\n");
                out.write(new byte[1 + random.nextInt(30_000)]);
                out.flush();
                pause(random);
            }
            case PARTIAL_CHUNKED -> {
                write(out, "POST " + path + " HTTP/1.1\r\nHost: load.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "400\r\n");
                out.write(new byte[1024]);
                write(out, "\r\n");
                pause(random);
            }
            case PARTIAL_DOWNLOAD, RESET_DOWNLOAD -> {
                write(out, "GET /download/" + DOWNLOAD_BYTES + " HTTP/1.1\r\nHost: load.test\r\n\r\n");
                readSome(socket.getInputStream(), 1 + random.nextInt(64 * 1024));
                if (move == Move.RESET_DOWNLOAD) {
                    socket.setSoLinger(true, 0);
                }
            }
            case GIVE_UP_WAITING -> {
                write(out, "GET /delay/300 HTTP/1.1\r\nHost: load.test\r\n\r\n");
                pause(random);
            }
            case PIPELINE_AND_LEAVE -> {
                write(out, "GET /delay/50 HTTP/1.1\r\nHost: load.test\r\n\r\n"
                        + "GET " + path + " HTTP/1.1\r\nHost: load.test\r\n\r\n"
                        + "POST " + path + " HTTP/1.1\r\nHost: load.test\r\nContent-Length: 5000\r\n\r\n"
                        + "x".repeat(1000));
                readSome(socket.getInputStream(), 1 + random.nextInt(200));
            }
            default -> throw new IllegalStateException(move.toString());
        }
    }

    /**
     * A short random wait before leaving, so the close lands at different points of the proxy's work (connecting,
     * forwarding, waiting for the head). Part of the fault, not a wait for a condition.
     */
    private static void pause(SplittableRandom random) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(20)));
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads up to {@code n} bytes (head included), or less if the connection ends first. */
    private static void readSome(InputStream in, int n) throws IOException {
        byte[] buf = new byte[8192];
        int total = 0;
        int r;
        while (total < n && (r = in.read(buf, 0, Math.min(buf.length, n - total))) >= 0) {
            total += r;
        }
    }

    /** How many connections made each move. */
    public Map<Move, Long> made() {
        Map<Move, Long> m = new TreeMap<>();
        made.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    public long total() {
        return made.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public void stop() throws InterruptedException {
        running.set(false);
        if (!finished.await(15, TimeUnit.SECONDS)) {
            throw new IllegalStateException("rude clients did not stop within 15 s");
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
