package dev.meridian.bench;

import dev.meridian.proxy.http1.ParsedRequest;
import dev.meridian.proxy.http1.RequestHeadParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading a typical browser request head (10 fields, about 500 bytes) from a pooled direct buffer, as it arrives
 * from a socket: Meridian's one-pass parser, and Netty's {@code HttpRequestDecoder} (the decoder the proxy used
 * before, without the scanner and checks that ran beside it) as the baseline. Both make the request object and
 * look up Host, as the proxy does for every request, and release the request, as the proxy does when its exchange
 * ends: Meridian's request goes back to its loop's pool then, to be parsed into again.
 *
 * <p>One parser parses the same head over and over, as one keep-alive connection's requests: the Host String made
 * for the first is handed out again for the rest while their Host bytes are the same (a connection's first request
 * makes its own).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
// On threads made as event loops are: the codecs' pools and Netty's recycler work there as in the proxy.
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=dev.meridian.bench.EventLoopThreads"})
public class RequestHeadParseBenchmark {
    static final String BROWSER_HEAD = "GET /products/item/12345?ref=home&utm_source=newsletter HTTP/1.1\r\n"
            + "Host: shop.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"
            + " Safari/537.36\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
            + "Accept-Language: en-GB,en;q=0.9\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Referer: https://shop.example.com/\r\n"
            + "Cookie: session=8f3a2c1d9e7b6a5f; theme=dark\r\n"
            + "Connection: keep-alive\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "Cache-Control: max-age=0\r\n"
            + "\r\n";

    private ByteBuf head;
    private RequestHeadParser parser;
    private EmbeddedChannel netty;

    @Setup
    public void setUp() {
        byte[] bytes = BROWSER_HEAD.getBytes(StandardCharsets.ISO_8859_1);
        head = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        parser = new RequestHeadParser(8 * 1024, 64 * 1024);
        netty = new EmbeddedChannel(new HttpRequestDecoder(new HttpDecoderConfig().setStrictLineParsing(true)));
    }

    @TearDown
    public void tearDown() {
        head.release();
        netty.finishAndReleaseAll();
    }

    @Benchmark
    public String onePass() {
        if (parser.feed(head, head.readerIndex(), head.writerIndex()) != RequestHeadParser.Result.COMPLETE) {
            throw new IllegalStateException(parser.reason());
        }
        ParsedRequest request = parser.take();
        parser.reset();
        String host = request.headers().get(HttpHeaderNames.HOST);
        request.release();
        return host;
    }

    @Benchmark
    public String nettyDecoder() {
        netty.writeInbound(head.retainedDuplicate());
        Object request = netty.readInbound();
        Object last = netty.readInbound();
        String host = ((io.netty.handler.codec.http.HttpRequest) request).headers().get(HttpHeaderNames.HOST);
        ReferenceCountUtil.release(request);
        ReferenceCountUtil.release(last);
        return host;
    }
}
