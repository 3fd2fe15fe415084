package dev.meridian.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on plain sockets that keeps every byte it received, per connection, and judges them with
 * {@link StrictHttpParser} ({@link StrictHttpParser.Side#UPSTREAM}): independent of Netty, so a request the proxy's
 * decoder misread cannot be misread the same way here. Each complete request is answered {@code 200 ok}; bytes
 * that are not a well-formed request are recorded as a violation and the connection is closed.
 */
public final class RecordingBackend implements AutoCloseable {
    /** What one connection carried. */
    public static final class Connection {
        private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
        private final List<StrictHttpParser.Request> requests = new CopyOnWriteArrayList<>();
        private volatile String violation;
        private volatile boolean endedMidRequest;
        private volatile boolean closed;

        public synchronized byte[] raw() {
            return raw.toByteArray();
        }

        public List<StrictHttpParser.Request> requests() {
            return requests;
        }

        /** Why the bytes were not a well-formed request; null while they were. */
        public String violation() {
            return violation;
        }

        /** The peer closed inside a request: it sent a head or part of a body, never the rest. */
        public boolean endedMidRequest() {
            return endedMidRequest;
        }

        public boolean closed() {
            return closed;
        }

        @Override
        public String toString() {
            return "connection{requests=" + requests.size() + ", violation=" + violation + ", endedMidRequest="
                    + endedMidRequest + ", raw=" + new String(raw(), StandardCharsets.ISO_8859_1)
                    .replace("\r", "\\r").replace("\n", "\\n\n") + "}";
        }

        private synchronized void append(byte[] b, int n) {
            raw.write(b, 0, n);
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "recording-backend");
        t.setDaemon(true);
        return t;
    });
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger served = new AtomicInteger();
    private final List<StrictHttpParser.Request> received = new CopyOnWriteArrayList<>();
    private final List<Connection> broken = new CopyOnWriteArrayList<>();
    private volatile boolean closing;

    private RecordingBackend() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    public static RecordingBackend start() throws IOException {
        return new RecordingBackend();
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    public String name() {
        return "recorder";
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    public List<Connection> connections() {
        return connections;
    }

    /** Every complete request received since the last {@link #clear}, over all connections, in arrival order. */
    public List<StrictHttpParser.Request> requests() {
        return received;
    }

    /** Every connection whose bytes broke the grammar since the last {@link #clear}, with what it received. */
    public List<Connection> violations() {
        return broken;
    }

    /** Forgets what was recorded so far; connections still open go on recording. */
    public void clear() {
        received.clear();
        broken.clear();
    }

    private void acceptLoop() {
        while (!closing) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                open.add(s);
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;  // closed
            }
        }
    }

    private void serve(Socket socket) {
        Connection c = new Connection();
        connections.add(c);
        byte[] buf = new byte[64 * 1024];
        byte[] pending = new byte[0];
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                c.append(buf, n);
                byte[] joined = new byte[pending.length + n];
                System.arraycopy(pending, 0, joined, 0, pending.length);
                System.arraycopy(buf, 0, joined, pending.length, n);
                int pos = 0;
                while (pos < joined.length) {
                    StrictHttpParser.Result r = StrictHttpParser.parse(joined, pos, joined.length,
                            StrictHttpParser.Side.UPSTREAM);
                    if (r instanceof StrictHttpParser.Complete done) {
                        c.requests.add(done.request());
                        received.add(done.request());
                        pos = done.end();
                        respond(out, done.request());
                        if (done.request().closesConnection()) {
                            return;
                        }
                    } else if (r instanceof StrictHttpParser.Incomplete) {
                        break;
                    } else {
                        c.violation = String.valueOf(r);
                        broken.add(c);
                        return;
                    }
                }
                pending = java.util.Arrays.copyOfRange(joined, pos, joined.length);
            }
            c.endedMidRequest = pending.length > 0;
        } catch (SocketException e) {
            c.endedMidRequest = pending.length > 0;  // reset by the proxy, or closed by close()
        } catch (IOException e) {
            c.violation = "I/O error: " + e;
            broken.add(c);
        } finally {
            c.closed = true;
            open.remove(socket);
        }
    }

    private void respond(OutputStream out, StrictHttpParser.Request r) throws IOException {
        String body = "ok " + served.incrementAndGet();
        String head = "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nx-backend: recorder\r\n"
                + (r.closesConnection() ? "Connection: close\r\n" : "") + "\r\n";
        String response = r.method().equals("HEAD") ? head : head + body;
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));  // one write: no Nagle wait on a second
        out.flush();
    }

    @Override
    public void close() throws IOException {
        closing = true;
        server.close();
        for (Socket s : open) {
            s.close();
        }
        threads.shutdownNow();
    }
}
