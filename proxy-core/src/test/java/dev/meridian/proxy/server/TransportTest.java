package dev.meridian.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meridian.testing.RawHttpClient;
import dev.meridian.testing.TestBackend;
import dev.meridian.testing.TestConfigs;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;

/** Every transport Meridian can be asked for proxies keep-alive requests and their bodies the same way. */
class TransportTest {

    @Test
    void ioUringProxiesLikeEpoll() throws Exception {
        assumeTrue(IoUring.isAvailable(), "io_uring is not available on this kernel or sandbox");
        proxiesThrough(Transport.IO_URING);
    }

    @Test
    void epollProxies() throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll is not available");
        proxiesThrough(Transport.EPOLL);
    }

    @Test
    void nioProxies() throws Exception {
        proxiesThrough(Transport.NIO);
    }

    @Test
    void theDataPlaneUsesThePooledAllocatorUnlessTheJvmIsToldOtherwise() {
        // The build's test JVMs do not set io.netty.allocator.type, so this is the choice a default start makes.
        assertThat(System.getProperty("io.netty.allocator.type")).isNull();
        assertThat(Transport.DATA_PLANE_ALLOCATOR).isSameAs(PooledByteBufAllocator.DEFAULT);
    }

    private static void proxiesThrough(Transport transport) throws Exception {
        try (TestBackend backend = TestBackend.start("b1")) {
            MeridianServer proxy = MeridianServer.start(TestConfigs.oneCluster(backend), 1, transport);
            try (RawHttpClient c = new RawHttpClient(proxy.address())) {
                assertThat(proxy.transport()).isEqualTo(transport);
                assertThat(c.get("example.com", "/one").bodyText()).isEqualTo("b1 GET /one bytes=0 crc=0");
                c.send("POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
                RawHttpClient.Response post = c.read();
                assertThat(post.status()).isEqualTo(200);
                assertThat(post.bodyText()).startsWith("b1 POST /two bytes=5");
                assertThat(c.get("example.com", "/three").bodyText()).startsWith("b1 GET /three");
            } finally {
                proxy.close();
            }
        }
    }
}
