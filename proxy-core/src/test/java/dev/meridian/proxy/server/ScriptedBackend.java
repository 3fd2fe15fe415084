package dev.meridian.proxy.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on plain sockets for what {@code TestBackend} cannot script: answering before the request body has
 * ended, or leaving a request unread for a while. Each accepted connection runs the script on a thread of its own;
 * close() closes every socket, which ends any script blocked on one.
 */
final class ScriptedBackend implements AutoCloseable {
    interface Script {
        void run(Socket connection) throws Exception;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();

    private ScriptedBackend(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            while (!server.isClosed()) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                sockets.add(s);
                open.incrementAndGet();
                threads.execute(() -> {
                    try (s) {
                        script.run(s);
                    } catch (Exception e) {
                        // The proxy closed the connection: what several tests expect.
                    } finally {
                        open.decrementAndGet();
                    }
                });
            }
        });
    }

    static ScriptedBackend start(Script script) throws IOException {
        return new ScriptedBackend(script);
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Connections whose script has not ended: it ends when the proxy closes the connection. */
    int openConnections() {
        return open.get();
    }

    /** Reads a request head up to its blank line. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads until the peer closes; how the scripts notice the proxy gave up on the request. */
    static void readUntilClosed(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        try {
            while (in.read(buf) >= 0) {
                continue;
            }
        } catch (SocketException e) {
            // reset: closed as well
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
