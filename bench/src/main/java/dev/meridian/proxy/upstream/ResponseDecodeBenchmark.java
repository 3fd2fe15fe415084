package dev.meridian.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One upstream response through {@link ResponseDecoder}: a typical head (status line and 8 header fields, about 300
 * bytes) and a 13-byte body, arriving in one read of a pooled direct buffer, as from the socket. The decoder's own
 * {@code decode} is called, not a pipeline: the figure is the codec's, without the handler hops around it. What it
 * emits is released, as the client's encoder does once it wrote them: the head goes back to its pool then.
 *
 * <p>In package {@code dev.meridian.proxy.upstream}, as the decoder is package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// On threads made as event loops are: the codecs' pools and Netty's recycler work there as in the proxy.
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=dev.meridian.bench.EventLoopThreads"})
public class ResponseDecodeBenchmark {
    static final String RESPONSE = "HTTP/1.1 200 OK\r\n"
            + "Date: Mon, 07 Dec 2026 01:10:00 GMT\r\n"
            + "Server: nginx/1.27.3\r\n"
            + "Content-Type: application/json; charset=utf-8\r\n"
            + "Content-Length: 13\r\n"
            + "Connection: keep-alive\r\n"
            + "Cache-Control: private, max-age=0, must-revalidate\r\n"
            + "ETag: \"5f3c2a1b-9d4e-4c1f-8a7b-2e6d0f9c3b11\"\r\n"
            + "X-Request-Id: 7b0e4c52-91a3-4f6d-b8e2-3c5a9d1f0e47\r\n"
            + "\r\n"
            + "hello, world!";

    private ResponseDecoder decoder;
    private EmbeddedChannel channel;
    private ChannelHandlerContext ctx;
    private ByteBuf read;
    private final List<Object> out = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        decoder = new ResponseDecoder(16 * 1024, () -> {
            throw new IllegalStateException("unasked bytes");
        });
        channel = new EmbeddedChannel(decoder);
        ctx = channel.pipeline().context(decoder);
        byte[] bytes = RESPONSE.getBytes(StandardCharsets.ISO_8859_1);
        read = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        if (decodeOnce() != 200) {
            throw new IllegalStateException("the benchmark's response does not decode");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        read.release();
    }

    @Benchmark
    public int decode() throws Exception {
        return decodeOnce();
    }

    private int decodeOnce() throws Exception {
        decoder.requestSent(HttpMethod.GET);
        read.readerIndex(0);
        // As ByteToMessageDecoder does: again while the decoder takes bytes.
        for (int guard = 0; read.isReadable() && guard < 4; guard++) {
            decoder.decode(ctx, read, out);
        }
        if (out.size() != 2 || !decoder.clean()) {
            throw new IllegalStateException("decoded " + out);
        }
        int status = ((HttpResponse) out.get(0)).status().code();
        for (int i = 0; i < out.size(); i++) {
            ReferenceCountUtil.release(out.get(i));
        }
        out.clear();
        return status;
    }
}
