package dev.meridian.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client on a plain socket, for tests that need exact bytes on the wire: pipelining, malformed or
 * oversized requests, connection reuse. Reads responses by their framing (Content-Length, chunked, or close).
 */
public final class RawHttpClient implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 10_000;

    /** A parsed response; header names lower-cased, repeated headers joined with ", ". */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttpClient(InetSocketAddress address) throws IOException {
        this(address, null);
    }

    /**
     * @param from the client's own address (e.g. 127.0.0.2, which Linux also routes over loopback): a second client
     *             for per-address limits; null: any
     */
    public RawHttpClient(InetSocketAddress address, InetAddress from) throws IOException {
        socket = new Socket();
        if (from != null) {
            socket.bind(new InetSocketAddress(from, 0));
        }
        socket.connect(address, TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public RawHttpClient send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttpClient send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /** Sends a GET with the given Host and extra header lines (each "Name: value"). */
    public Response get(String host, String path, String... headerLines) throws IOException {
        StringBuilder sb = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host)
                .append("\r\n");
        for (String h : headerLines) {
            sb.append(h).append("\r\n");
        }
        send(sb.append("\r\n").toString());
        return read(false);
    }

    public Response read() throws IOException {
        return read(false);
    }

    /** @param headRequest the response belongs to a HEAD request, so it has no body whatever its headers say */
    public Response read(boolean headRequest) throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new EOFException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        byte[] body;
        if (headRequest || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked();
        } else if (headers.containsKey("content-length")) {
            int length = Integer.parseInt(headers.get("content-length"));
            body = in.readNBytes(length);
            if (body.length < length) {
                // A body cut short is no response: the caller must not take the piece for the whole.
                throw new EOFException("connection closed after " + body.length + " of " + length + " body bytes");
            }
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, body);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new EOFException("connection closed inside a chunked body");
            }
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                String trailer;
                while ((trailer = readLine()) != null && !trailer.isEmpty()) {
                    continue;
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine();
        }
    }

    /** Everything the server still sends until it closes the connection. */
    public byte[] readRemainingUntilClose() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                all.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("the connection was not closed within the read timeout; got: "
                    + all.toString(StandardCharsets.ISO_8859_1), e);
        } catch (IOException e) {
            return all.toByteArray();
        }
        return all.toByteArray();
    }

    /** Whether the server closed the connection: the next read sees end of stream (or a reset). */
    public boolean isClosedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads n responses in order. */
    public List<Response> readAll(int n) throws IOException {
        List<Response> responses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            responses.add(read());
        }
        return responses;
    }

    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
