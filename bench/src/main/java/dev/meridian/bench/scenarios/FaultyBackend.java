package dev.meridian.bench.scenarios;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tiny HTTP/1.1 backend on 127.0.0.1 that can be killed, blackholed and restored on the same port. It answers
 * every request with {@code 200 ok} and an {@code x-backend} header; requests whose path starts with
 * {@code /health} are counted as health checks, everything else as traffic.
 *
 * <ul>
 *   <li>{@link #kill()}: closes the listener and every connection (new connects are refused).</li>
 *   <li>{@link #blackhole()}: keeps accepting and reading, answers nothing (health checks hang too).</li>
 *   <li>{@link #restore()}: rebinds the listener if killed; a blackholed backend answers again, including the
 *       requests it held (as a SIGCONTed process would).</li>
 *   <li>{@link #delay(long)}: answers each request that long after it arrived (a slow, not a broken,
 *       endpoint).</li>
 * </ul>
 * One blocking thread per connection: a few hundred connections at most in this scenario.
 */
final class FaultyBackend implements AutoCloseable {
    enum Mode { UP, BLACKHOLE, DOWN }

    private final int index;
    private final int port;
    private final byte[] response;
    private final Set<Socket> conns = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.DOWN;
    private volatile ServerSocket listener;
    private volatile long delayNanos;
    /** Arrival times (System.nanoTime) of traffic requests and of health checks; answer times of health checks. */
    final TimeLog traffic = new TimeLog();
    final TimeLog checks = new TimeLog();
    final TimeLog checksAnswered = new TimeLog();

    FaultyBackend(int index, int port) {
        this.index = index;
        this.port = port;
        this.response = ("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nx-backend: b" + index
                + "\r\n\r\nok").getBytes(StandardCharsets.US_ASCII);
    }

    int port() {
        return port;
    }

    Mode mode() {
        return mode;
    }

    synchronized void start() throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (true) {
            try {
                ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    ss.close();
                    throw new IOException("b" + index + ": cannot bind 127.0.0.1:" + port + ": " + e.getMessage(), e);
                }
                sleepMillis(20);
            }
        }
        listener = ss;
        mode = Mode.UP;
        Thread t = new Thread(() -> acceptLoop(ss), "b" + index + "-accept");
        t.setDaemon(true);
        t.start();
    }

    synchronized void kill() {
        mode = Mode.DOWN;
        ServerSocket ss = listener;
        listener = null;
        if (ss != null) {
            try {
                ss.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (Socket s : conns) {
            closeQuietly(s);
        }
    }

    /** Every later answer leaves {@code nanos} after its request arrived; 0 answers at once. */
    void delay(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("delay: " + nanos + " ns (expected: >= 0)");
        }
        delayNanos = nanos;
    }

    synchronized void blackhole() {
        mode = Mode.BLACKHOLE;
    }

    synchronized void restore() throws IOException {
        if (listener == null) {
            start();
        } else {
            mode = Mode.UP;
        }
    }

    @Override
    public void close() {
        kill();
    }

    private void acceptLoop(ServerSocket ss) {
        while (!ss.isClosed()) {
            try {
                Socket s = ss.accept();
                s.setTcpNoDelay(true);
                conns.add(s);
                Thread t = new Thread(() -> serve(s), "b" + index + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        byte[] buf = new byte[16 * 1024];
        int len = 0;
        int pending = 0;
        int pendingChecks = 0;
        long firstPendingAt = 0;
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (mode != Mode.DOWN) {
                if (pending > 0 && mode == Mode.UP) {
                    // Proxies send one request per connection at a time, so the first held request sets the time.
                    long wait = firstPendingAt + delayNanos - System.nanoTime();
                    if (delayNanos > 0 && wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        continue;
                    }
                    byte[] all = new byte[response.length * pending];
                    for (int i = 0; i < pending; i++) {
                        System.arraycopy(response, 0, all, i * response.length, response.length);
                    }
                    out.write(all);
                    out.flush();
                    long now = System.nanoTime();
                    for (int i = 0; i < pendingChecks; i++) {
                        checksAnswered.add(now); // held checks answered on a restore count too
                    }
                    pending = 0;
                    pendingChecks = 0;
                }
                // Block while nothing is held; poll while requests wait for a restore.
                s.setSoTimeout(pending > 0 ? 20 : 0);
                int n;
                try {
                    if (len == buf.length) {
                        len = 0; // garbage: drop it
                    }
                    n = in.read(buf, len, buf.length - len);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (n < 0) {
                    return;
                }
                len += n;
                // Parse every complete request head (GETs from proxies: no bodies expected; content-length skipped).
                int off = 0;
                while (true) {
                    int end = indexOf(buf, off, len, HEAD_END);
                    if (end < 0) {
                        break;
                    }
                    int bodyLen = contentLength(buf, off, end);
                    int next = end + 4 + bodyLen;
                    if (next > len) {
                        break;
                    }
                    long now = System.nanoTime();
                    boolean check = startsWith(buf, off, "GET /health") || startsWith(buf, off, "HEAD /health")
                            || startsWith(buf, off, "OPTIONS ");
                    if (check) {
                        checks.add(now);
                        pendingChecks++;
                    } else {
                        traffic.add(now);
                    }
                    if (pending == 0) {
                        firstPendingAt = now;
                    }
                    pending++;
                    off = next;
                }
                if (off > 0) {
                    System.arraycopy(buf, off, buf, 0, len - off);
                    len -= off;
                }
            }
        } catch (IOException ignored) {
            // peer closed or we were killed
        } finally {
            conns.remove(s);
        }
    }

    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};

    static int indexOf(byte[] b, int from, int to, byte[] pat) {
        outer:
        for (int i = from; i <= to - pat.length; i++) {
            for (int j = 0; j < pat.length; j++) {
                if (b[i + j] != pat[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int off, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[off + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int contentLength(byte[] b, int from, int to) {
        String head = new String(b, from, to - from, StandardCharsets.ISO_8859_1).toLowerCase();
        int i = head.indexOf("\r\ncontent-length:");
        if (i < 0) {
            return 0;
        }
        int j = head.indexOf("\r\n", i + 2);
        return Integer.parseInt(head.substring(i + 17, j < 0 ? head.length() : j).trim());
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close(); // FIN (RST if unread data), as the kernel does for a killed process
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Append-only list of nanoTime stamps, safe for many writers. */
    static final class TimeLog {
        private long[] t = new long[1024];
        private int n;

        synchronized void add(long v) {
            if (n == t.length) {
                t = java.util.Arrays.copyOf(t, n * 2);
            }
            t[n++] = v;
        }

        synchronized long[] snapshot() {
            long[] s = java.util.Arrays.copyOf(t, n);
            java.util.Arrays.sort(s);
            return s;
        }
    }
}
