package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A 1 GiB body each way passes through while the memory Netty holds stays small: proof that nothing aggregates and
 * that backpressure works in both directions.
 */
class StreamingTest {
    private static final long GIB = Long.getLong("streaming.bytes", 1L << 30);
    /** Far below the body: buffering any meaningful part of it would blow through this. */
    private static final long MAX_BUFFERED_BYTES = 64L << 20;

    private TestBackend backend;
    private MeridianServer proxy;
    private HttpClient client;
    private ScheduledExecutorService sampler;
    private final AtomicLong peakNettyMemory = new AtomicLong();
    private final AtomicLong peakHeapAfterBaseline = new AtomicLong();

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start("big");
        // Above the 1 GiB upload: the default body limit (64 MiB) would answer it 413.
        proxy = MeridianServer.start(TestConfigs.parse("""
                server:
                  max_body_size: 2GiB
                clusters:
                  - name: app
                    endpoints:
                      - {id: big, address: "%s", region: local}
                routes:
                  - cluster: app
                    timeouts: {connect: 2s, response_header: 5s, idle: 5s}
                """.formatted(backend.address())), 2);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBaseline = memory.getHeapMemoryUsage().getUsed();
        sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            peakNettyMemory.accumulateAndGet(nettyMemory(), Math::max);
            peakHeapAfterBaseline.accumulateAndGet(memory.getHeapMemoryUsage().getUsed() - heapBaseline, Math::max);
        }, 0, 5, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        sampler.shutdownNow();
        sampler.awaitTermination(5, TimeUnit.SECONDS);
        proxy.close();
        backend.close();
    }

    private static long nettyMemory() {
        var metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return metric.usedDirectMemory() + metric.usedHeapMemory();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + proxy.address().getPort() + path);
    }

    @Test
    @Timeout(120)
    void oneGibUploadStreamsWithBoundedMemory() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri("/upload"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(GIB)), GIB))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("big POST /upload bytes=" + GIB + " crc=" + patternCrc(GIB));
        assertThat(peakNettyMemory.get()).isLessThan(MAX_BUFFERED_BYTES);
    }

    @Test
    @Timeout(120)
    void oneGibDownloadStreamsWithBoundedMemory() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri("/download/" + GIB)).build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.statusCode()).isEqualTo(200);
        CRC32 crc = new CRC32();
        long total = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = response.body()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                crc.update(buf, 0, n);
                total += n;
            }
        }
        assertThat(total).isEqualTo(GIB);
        assertThat(crc.getValue()).isEqualTo(patternCrc(GIB));
        assertThat(peakNettyMemory.get()).isLessThan(MAX_BUFFERED_BYTES);
        assertThat(peakHeapAfterBaseline.get()).isLessThan(512L << 20);
    }

    private static long patternCrc(long size) {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[64 * 1024];
        long done = 0;
        try (PatternStream in = new PatternStream(size)) {
            int n;
            while ((n = in.read(buf, 0, buf.length)) > 0) {
                crc.update(buf, 0, n);
                done += n;
            }
        }
        assertThat(done).isEqualTo(size);
        return crc.getValue();
    }

    /** TestBackend's download pattern, generated on the fly. */
    static final class PatternStream extends InputStream {
        private final long size;
        private long position;

        PatternStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            return position < size ? TestBackend.pattern(position++) & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = TestBackend.pattern(position + i);
            }
            position += n;
            return n;
        }

        @Override
        public void close() {
        }
    }

}
