package dev.meridian.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The backend's own promises, which the failover tests build on. */
class TestBackendTest {
    private static final byte[] GET = "GET /x HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * A closed backend stands for a killed process, whose kernel ends every connection. One that left a keep-alive
     * connection open and silent would be a black hole instead, and the proxy would rightly wait its response
     * timeout on a request sent there. Shutting the event loop down alone left the socket open in most runs (Netty
     * 4.2 can end a loop with a zero quiet period without closing its channels), so this is tried a few times.
     */
    @Test
    void closeEndsEveryAcceptedConnectionAsAKilledProcessWould() throws Exception {
        for (int i = 0; i < 5; i++) {
            TestBackend backend = TestBackend.start("b");
            try (Socket socket = new Socket("127.0.0.1", backend.port())) {
                socket.setSoTimeout(2000);
                socket.getOutputStream().write(GET);
                InputStream in = socket.getInputStream();
                assertThat(in.read(new byte[4096])).as("the response").isPositive();

                backend.close();

                assertThat(endOfStream(in)).as("attempt %d: the idle keep-alive connection ends with the backend", i)
                        .isTrue();
            } finally {
                backend.close();
            }
        }
    }

    /** Whether the peer closed: end of stream or a reset, rather than silence until the timeout. */
    private static boolean endOfStream(InputStream in) throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }
}
